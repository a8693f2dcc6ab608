import { describe, expect, it } from "vitest";
import { formatLogLine, wantsPretty } from "../../../lib/log-format";

const at = Date.UTC(2026, 11, 7, 10, 4, 5);

describe("formatLogLine (terminal log lines)", () => {
  it.each([
    [{ level: 30, time: at, module: "server", msg: "switchyard is up", port: 3000 }, "10:04:05 INFO  server: switchyard is up port=3000"],
    [{ level: 40, time: at, module: "gateway", msg: "backend down", target: "box2/glm", reason: "connect ECONNREFUSED 10.0.0.2:8000" },
      '10:04:05 WARN  gateway: backend down target=box2/glm reason="connect ECONNREFUSED 10.0.0.2:8000"'],
    [{ level: 50, time: at, msg: "no module", nested: { a: 1 } }, '10:04:05 ERROR no module nested={"a":1}'],
    [{ level: 50, time: at, module: "api", msg: "failed", err: { type: "Error", message: "boom", stack: "Error: boom\n    at f (x.ts:1:2)" } },
      '10:04:05 ERROR api: failed err="boom (at f (x.ts:1:2))"'],
  ])("%j", (rec, expected) => {
    expect(formatLogLine(JSON.stringify(rec))).toBe(expected);
  });

  it("passes through a line that is not JSON", () => {
    expect(formatLogLine("plain text")).toBe("plain text");
  });

  it("colours only when asked", () => {
    const line = JSON.stringify({ level: 30, time: at, msg: "x" });
    expect(formatLogLine(line)).not.toContain("\x1b[");
    expect(formatLogLine(line, true)).toContain("\x1b[32mINFO ");
  });
});

describe("wantsPretty", () => {
  it.each([
    [{}, true, true], [{}, false, false], [{ LOG_FORMAT: "json" }, true, false], [{ LOG_FORMAT: "pretty" }, false, true],
  ])("env %j, TTY %s → %s", (env, tty, expected) => {
    expect(wantsPretty(env as NodeJS.ProcessEnv, tty)).toBe(expected);
  });
});
