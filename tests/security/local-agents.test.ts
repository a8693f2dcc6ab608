/**
 * The agents the server starts itself (this machine's, the demo fleet) used to inherit the
 * server's whole environment, admin token and enrollment token included: any process on the box
 * that could read theirs (/proc/PID/environ, a crash dump) had the keys to the control plane. Now
 * the server provisions each with a credential of its own, through a private state directory, and
 * hands it only the environment an agent reads.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ADMIN_TOKEN, AGENT_TOKEN, STANDIN, startServer, waitForNodesOnline, type TestServer } from "../helpers/processes";
import { childPids } from "../../bench/proc-stats";

const MARKER = "sy-test-server-only-secret-7d1e";

function environOf(pid: number): Record<string, string> {
  const raw = fs.readFileSync(`/proc/${pid}/environ`, "utf8");
  return Object.fromEntries(raw.split("\0").filter(Boolean).map((kv) => [kv.slice(0, kv.indexOf("=")), kv.slice(kv.indexOf("=") + 1)]));
}

describe("agents the server starts itself", () => {
  let server: TestServer;
  afterAll(async () => server?.stop());

  it("get a credential of their own and only the environment an agent needs", async () => {
    server = await startServer({
      args: ["--demo"],
      env: { SWITCHYARD_LOCAL_AGENT: "1", SWITCHYARD_NVIDIA_SMI: STANDIN, SWITCHYARD_STANDIN_GPUS: "rtx-2080-super", SWITCHYARD_SERVER_ONLY_SECRET: MARKER },
    });
    const names = [os.hostname(), "atlas", "forge", "hopper"];
    await waitForNodesOnline(server, names, 90_000, 500);

    const agentPids = childPids(server.proc.child.pid!).filter((pid) => fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").includes("agents/cli.ts"));
    expect(agentPids.length).toBe(4);
    for (const pid of agentPids) {
      const env = environOf(pid);
      const all = Object.values(env).join("\n");
      expect(all).not.toContain(ADMIN_TOKEN);
      expect(all).not.toContain(AGENT_TOKEN);
      expect(all).not.toContain(MARKER);
      expect(Object.keys(env).filter((k) => k.startsWith("SWITCHYARD_") && !k.startsWith("SWITCHYARD_STANDIN_")).sort())
        .toEqual(expect.arrayContaining(["SWITCHYARD_AGENT_STATE", "SWITCHYARD_NVIDIA_SMI"]));
      expect(env.SWITCHYARD_AGENT_TOKEN).toBeUndefined();
      expect(fs.readFileSync(`/proc/${pid}/cmdline`, "utf8")).not.toContain(AGENT_TOKEN);

      const state = env.SWITCHYARD_AGENT_STATE!;
      expect(state.startsWith(path.join(server.dataDir, "agents"))).toBe(true);
      expect(fs.statSync(state).mode & 0o777).toBe(0o700);
      const [plane] = fs.readdirSync(state);
      const file = fs.readdirSync(path.join(state, plane!)).map((f) => path.join(state, plane!, f))[0]!;
      expect(fs.statSync(file).mode & 0o777).toBe(0o600);
      expect(JSON.parse(fs.readFileSync(file, "utf8")).credential).toMatch(/^syn_/);
    }
    // None of them needed the enrollment token: nothing was refused, nothing enrolled with it.
    expect((await (await server.api("/api/enrollment/refusals")).json()) as unknown[]).toEqual([]);
  });
});
