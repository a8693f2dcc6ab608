/**
 * Logs were JSON lines even in a terminal. The real agent, pointed at a server that is not there
 * (it logs that at warn level), run once under a pseudo-terminal (util-linux `script`) and once with
 * stderr on a pipe: a person at a terminal reads plain lines, a log collector still gets JSON.
 */
import { spawn } from "node:child_process";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT } from "../helpers/processes";

const agent = [process.execPath, path.join(ROOT, "bin", "switchyard-agent.mjs"), "--server", "http://127.0.0.1:9", "--name", "terminal-logs"];
const env = { ...process.env, LOG_LEVEL: "warn", LOG_FORMAT: "", SWITCHYARD_NVIDIA_SMI: "/nonexistent/nvidia-smi", SWITCHYARD_AGENT_TOKEN: "terminal-logs-token" };

/** Runs `cmd` until its output (stdout and stderr together) has a line matching `until`; returns all output. */
function outputUntil(cmd: string[], until: RegExp): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd[0]!, cmd.slice(1), { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    const timer = setTimeout(() => finish(new Error(`no line matching ${until} within 30 s:\n${out}`)), 30_000);
    const finish = (err?: Error) => {
      clearTimeout(timer);
      child.kill("SIGKILL");
      if (err) reject(err);
      else resolve(out);
    };
    const take = (chunk: Buffer) => {
      out += chunk.toString("utf8");
      if (until.test(out)) finish();
    };
    child.stdout.on("data", take);
    child.stderr.on("data", take);
    child.on("exit", () => finish(until.test(out) ? undefined : new Error(`exited before a line matching ${until}:\n${out}`)));
  });
}

describe("agent log lines", () => {
  it("are human-readable on a terminal", async () => {
    const out = await outputUntil(["script", "-qec", agent.join(" "), "/dev/null"], /cannot reach server[^\n]*\n/);
    const plain = out.replace(/\x1b\[[0-9;]*m/g, "");
    expect(plain).toMatch(/\d\d:\d\d:\d\d WARN +agent: cannot reach server .*server=http:\/\/127\.0\.0\.1:9/);
    expect(plain).not.toContain('{"level":');
  });

  it("stay JSON lines on a pipe", async () => {
    const out = await outputUntil(agent, /cannot reach server[^\n]*\n/);
    const line = out.split("\n").find((l) => l.includes("cannot reach server"))!;
    expect(JSON.parse(line)).toMatchObject({ level: 40, module: "agent", msg: "cannot reach server" });
  });
});
