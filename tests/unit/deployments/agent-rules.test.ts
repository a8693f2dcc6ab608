/** The agent's pure rules: health verdicts per engine, restarts and backoff, log lines, ports. */
import { describe, expect, it } from "vitest";
import { servingHealthy, startupProbeDelayMs, startupVerdict, type Probe } from "../../../agents/docker/health";
import { describeExit, restartDelayMs, shouldRestart } from "../../../agents/docker/lifecycle";
import { demuxDockerLog, redact } from "../../../agents/docker/log-lines";
import { LineSplitter, toLines } from "../../../lib/line-splitter";
import { createPortAllocator, firstFree, parsePortRange, PortInUseError } from "../../../agents/docker/ports";
import { daemonMessage, isMemlockRefused, toDeployError } from "../../../agents/docker/errors";

const refused: Probe = { kind: "refused", message: "ECONNREFUSED" };
const http = (status: number, body = ""): Probe => ({ kind: "http", status, body });

describe("health verdicts (REFERENCE.md: each engine's loading and ready signals)", () => {
  it.each([
    // vLLM opens its port only once the model is loaded: refused means it is loading.
    ["vllm", refused, "loading"],
    ["vllm", http(200), "ready"],
    // SGLang: port open early, /health 503 "Starting" during warm-up.
    ["sglang", refused, "starting"],
    ["sglang", http(503, "Starting"), "loading"],
    ["sglang", http(200), "ready"],
    // llama.cpp: 503 {"error":{"message":"Loading model"}} while loading.
    ["llamacpp", refused, "starting"],
    ["llamacpp", http(503, '{"error":{"code":503,"message":"Loading model"}}'), "loading"],
    ["llamacpp", http(200, '{"status":"ok"}'), "ready"],
  ] as const)("%s, %j → %s", (engine, probe, state) => {
    expect(startupVerdict(engine, probe)).toBe(state);
  });

  it("once serving, only a 200 counts as healthy (vLLM answers 503 when its engine died)", () => {
    expect(servingHealthy(http(200))).toBe(true);
    expect(servingHealthy(http(503))).toBe(false);
    expect(servingHealthy(refused)).toBe(false);
  });

  it("probes fast at first, then less often for long loads", () => {
    expect(startupProbeDelayMs(0)).toBe(100);
    expect(startupProbeDelayMs(30_000)).toBe(500);
    expect(startupProbeDelayMs(600_000)).toBe(2000);
  });
});

describe("restarts", () => {
  it.each([
    ["no", 1, true, false, false],
    ["on-failure", 1, true, false, true],
    ["on-failure", 0, true, false, false],
    ["always", 0, true, false, true],
    // A deploy that never became ready is reported, not retried; a stop is never undone.
    ["always", 1, false, false, false],
    ["always", 1, true, true, false],
  ] as const)("policy %s, exit %s, everReady %s, stopping %s → %s", (policy, code, ready, stopping, want) => {
    expect(shouldRestart(policy, code, ready, stopping)).toBe(want);
  });

  it("backs off 1 s, 2 s, 4 s … up to 5 minutes", () => {
    expect([0, 1, 2, 3].map(restartDelayMs)).toEqual([1000, 2000, 4000, 8000]);
    expect(restartDelayMs(50)).toBe(300_000);
  });

  it("says how the engine ended", () => {
    expect(describeExit(1, false)).toBe("the engine exited with code 1");
    expect(describeExit(137, false)).toMatch(/killed/);
    expect(describeExit(137, true)).toMatch(/out of memory/);
  });
});

describe("log lines", () => {
  it("undoes Docker's stdout/stderr framing", () => {
    const frame = (stream: number, text: string) => {
      const payload = Buffer.from(text);
      const head = Buffer.alloc(8);
      head[0] = stream;
      head.writeUInt32BE(payload.length, 4);
      return Buffer.concat([head, payload]);
    };
    const buf = Buffer.concat([frame(1, "loading model\n"), frame(2, "error: bad\n")]);
    expect(toLines(demuxDockerLog(buf))).toEqual(["loading model", "error: bad"]);
    expect(demuxDockerLog(Buffer.from("plain tty output\n"))).toBe("plain tty output\n");
  });

  it("cuts a stream into whole lines", () => {
    const s = new LineSplitter();
    expect(s.push("a\nb")).toEqual(["a"]);
    expect(s.push("c\r\nd\n")).toEqual(["bc", "d"]);
    expect(s.push("tail")).toEqual([]);
    expect(s.flush()).toEqual(["tail"]);
  });

  it("scrubs secrets", () => {
    expect(redact("token=hf_abcdef used", ["hf_abcdef"])).toBe("token=[redacted] used");
    expect(redact("abc", ["a"])).toBe("abc"); // too short to be a secret worth scrubbing
  });
});

describe("ports", () => {
  it("parses a range and finds the first free port", () => {
    expect(parsePortRange("18000-18010")).toEqual({ from: 18000, to: 18010 });
    expect(parsePortRange("9-1")).toBeNull();
    expect(firstFree({ from: 1, to: 5 }, new Set([1, 2]), new Set([3]))).toBe(4);
    expect(firstFree({ from: 1, to: 2 }, new Set([1, 2]))).toBeNull();
  });

  it("never hands out one port twice, skips listened ones, and refuses a taken asked port", async () => {
    const listening = new Set([18002]);
    const alloc = createPortAllocator({ from: 18000, to: 18005 }, async (p) => listening.has(p));
    const [a, b] = await Promise.all([alloc.allocate(undefined, new Set()), alloc.allocate(undefined, new Set())]);
    expect(new Set([a, b]).size).toBe(2);
    expect(await alloc.allocate(undefined, new Set([18003]))).toBe(18004); // 18002 listens, 18003 is Docker's
    await expect(alloc.allocate(18002, new Set())).rejects.toBeInstanceOf(PortInUseError);
    await expect(alloc.allocate(18003, new Set([18003]))).rejects.toMatchObject({ by: "docker" });
    alloc.release(a);
    expect(await alloc.allocate(a, new Set())).toBe(a);
  });
});

describe("Docker errors", () => {
  const ctx = { node: "box1", endpoint: "unix:///var/run/docker.sock", image: "vllm/vllm-openai:latest", port: 8000 };
  const dockerErr = (statusCode: number, message: string) =>
    Object.assign(new Error(`(HTTP code ${statusCode}) server error - ${message} `), { statusCode, json: { message } });

  it("become messages a person can act on", () => {
    expect(toDeployError(Object.assign(new Error("connect ENOENT /var/run/docker.sock"), { code: "ENOENT" }), ctx).message)
      .toMatch(/^cannot reach the Docker Engine at unix:\/\/\/var\/run\/docker.sock on box1 .*: is dockerd running\?$/);
    const nvidia = toDeployError(dockerErr(500, 'could not select device driver "nvidia" with capabilities: [[gpu]]'), ctx);
    expect(nvidia.message).toMatch(/NVIDIA Container Toolkit is not installed on box1/);
    expect(nvidia.code).toBe("bad_request");
    expect(toDeployError(dockerErr(404, "No such image: vllm/vllm-openai:latest"), ctx).message).toMatch(/^image vllm\/vllm-openai:latest is not on box1/);
    const port = toDeployError(dockerErr(500, "driver failed programming external connectivity: Bind for 0.0.0.0:8000 failed: port is already allocated"), ctx);
    expect(port.code).toBe("conflict");
    expect(port.message).toMatch(/^port 8000 is in use on box1/);
    expect(daemonMessage(dockerErr(500, "boom"))).toBe("boom");
  });

  it("recognise a daemon that may not raise memlock (rootless Docker)", () => {
    expect(isMemlockRefused(new Error("error setting rlimit type 8: operation not permitted"))).toBe(true);
    expect(isMemlockRefused(new Error("error setting rlimit type 3: operation not permitted"))).toBe(false);
  });
});
