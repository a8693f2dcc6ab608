/**
 * `switchyard-agent` as a user runs it: the real entry point (bin/switchyard-agent.mjs) in a child
 * process, against the stand-in nvidia-smi or none at all.
 */
import { spawnSync } from "node:child_process";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { snapshotSchema } from "../../protocol/telemetry";
import { ROOT, STANDIN } from "../helpers/processes";

function agent(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [path.join(ROOT, "bin", "switchyard-agent.mjs"), ...args], {
    cwd: ROOT, encoding: "utf8", timeout: 30_000, env: { ...process.env, LOG_LEVEL: "warn", ...env },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("switchyard-agent CLI", () => {
  it("--once prints a contract snapshot with every GPU of the box", () => {
    const r = agent(["--once"], { SWITCHYARD_NVIDIA_SMI: STANDIN, SWITCHYARD_STANDIN_GPUS: "h100,h100-mig", SWITCHYARD_STANDIN_PHASE: "load" });
    expect(r.code).toBe(0);
    const snap = snapshotSchema.parse(JSON.parse(r.stdout));
    expect(snap.gpus.map((g) => g.name)).toEqual(["NVIDIA H100 80GB HBM3", "NVIDIA H100 80GB HBM3"]);
    expect(snap.gpus[0]!.memUsedMiB).toBe(19818);
    expect(snap.gpus[1]!.utilGpuPct).toBeNull(); // MIG mode: utilization.gpu is [N/A]
    expect(snap.driver).toEqual({ version: "590.48.01", cuda: "13.1" });
    expect(snap.processes.some((p) => p.name === "./gpu_burn")).toBe(true);
    expect(snap.warnings).toEqual([]);
  });

  it("--once on a machine without nvidia-smi reports no GPUs and a warning, and exits 0", () => {
    const r = agent(["--once"], { SWITCHYARD_NVIDIA_SMI: "/nonexistent/nvidia-smi" });
    expect(r.code).toBe(0);
    const snap = snapshotSchema.parse(JSON.parse(r.stdout));
    expect(snap.gpus).toEqual([]);
    expect(snap.warnings.join(" ")).toMatch(/not found/);
    expect(snap.host.memTotalBytes).toBeGreaterThan(0);
  });

  it("--once with a broken driver reports the NVML mismatch as a warning, and exits 0", () => {
    const r = agent(["--once"], { SWITCHYARD_NVIDIA_SMI: STANDIN, SWITCHYARD_STANDIN_FAULT: "nvml-mismatch" });
    expect(r.code).toBe(0);
    const snap = snapshotSchema.parse(JSON.parse(r.stdout));
    expect(snap.gpus).toEqual([]);
    expect(snap.warnings.join(" ")).toMatch(/mismatch/i);
  });

  it.each([
    [[], /--server is required/],
    [["--server", "http://x:3000"], /--token is required/],
    [["--server", "ftp://x", "--token", "t"], /--server must be an http/],
    [["--server", "http://x:3000", "--token", "t", "--interval", "5"], /--interval must be/],
    [["--bogus"], /Unknown option '--bogus'/],
    [["--server", "https://x:3000", "--token", "t", "--fingerprint", "abc"], /--fingerprint: 'abc' is not a SHA-256 fingerprint/],
    [["--server", "http://x:3000", "--token", "t", "--fingerprint", `sha256:${"a".repeat(64)}`], /--fingerprint pins a TLS certificate, but http:\/\/x:3000 is not https/],
  ])("refuses bad usage %j with exit 2 and a reason", (args, message) => {
    const r = agent(args as string[], { SWITCHYARD_AGENT_TOKEN: "" });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).toMatch(/Usage:/);
  });
});
