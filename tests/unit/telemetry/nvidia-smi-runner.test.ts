/**
 * The runner against the stand-in nvidia-smi run as a real child process. A wrapper script logs
 * each invocation (pid and arguments) so the tests can count spawns and check children are gone.
 */
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createNvidiaSmiRunner, type NvidiaSmiRunner, type NvidiaSmiRunnerOptions } from "../../../agents/telemetry/nvidia-smi-runner";
import type { Gpu } from "../../../protocol/telemetry";
import { gpuSchema } from "../../../protocol/telemetry";
import { holdsFor, waitFor } from "../../helpers/wait";
import { STANDIN } from "./capture-fixtures";

let dir = "";
let wrapper = "";
let runner: NvidiaSmiRunner | null = null;
const savedEnv = { ...process.env };

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), "smi-runner-"));
  wrapper = path.join(dir, "nvidia-smi");
  writeFileSync(wrapper, `#!/bin/sh\necho "$$ $*" >> "${dir}/calls.log"\nexec "${STANDIN}" "$@"\n`);
  chmodSync(wrapper, 0o755);
});

afterEach(async () => {
  await runner?.stop();
  runner = null;
  process.env = { ...savedEnv };
  rmSync(dir, { recursive: true, force: true });
});

function calls(): { pid: number; args: string }[] {
  const log = path.join(dir, "calls.log");
  if (!existsSync(log)) return [];
  return readFileSync(log, "utf8").trim().split("\n").map((line) => {
    const [pid, ...args] = line.split(" ");
    return { pid: Number(pid), args: args.join(" ") };
  });
}

const loopCalls = (): { pid: number; args: string }[] => calls().filter((c) => c.args.includes("-lms"));

function start(env: Record<string, string>, over: Partial<NvidiaSmiRunnerOptions> = {}): Gpu[][] {
  Object.assign(process.env, env);
  const batches: Gpu[][] = [];
  runner = createNvidiaSmiRunner({
    nvidiaSmi: wrapper,
    intervalMs: 200,
    processesIntervalMs: 300,
    restartDelayMs: { min: 50, max: 200 },
    onBatch: (gpus) => batches.push([...gpus]),
    ...over,
  });
  runner.start();
  return batches;
}

const until = (check: () => boolean, timeoutMs = 15_000): Promise<true> => waitFor("the runner to get there", () => check(), timeoutMs, 50);

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe("nvidia-smi runner", () => {
  it("groups a multi-GPU box's rows into one batch per interval, from one long-running child", async () => {
    const batches = start({ SWITCHYARD_STANDIN_GPUS: "h100,rtx-4080-super,rtx-2080-super,h100-mig", SWITCHYARD_STANDIN_PHASE: "load" });
    await until(() => batches.length >= 4 && runner!.state().processes.length > 0);
    for (const batch of batches) {
      expect(batch.map((g) => g.index)).toEqual([0, 1, 2, 3]);
      for (const gpu of batch) gpuSchema.parse(gpu);
    }
    const [h100, rtx4080, rtx2080, mig] = batches[0]!;
    expect([h100!.memUsedMiB, h100!.powerW, rtx4080!.memClockMHz, rtx2080!.fanPct]).toEqual([19818, 631.95, 11251, 38]);
    expect(mig!.utilGpuPct).toBeNull();
    expect(new Set(batches[0]!.map((g) => g.uuid)).size).toBe(4);

    const state = runner!.state();
    expect(state.driver).toEqual({ version: "590.48.01", cuda: "13.1" });
    expect(state.warnings).toEqual([]);
    expect(state.processes.find((p) => p.pid === 11345)).toEqual({ gpuUuid: h100!.uuid, pid: 11345, name: "./gpu_burn", usedMiB: 15690 });
    expect(loopCalls()).toHaveLength(1);
    expect(loopCalls()[0]!.args).toMatch(/--format=csv,noheader,nounits -lms 200$/);
  });

  // An alert on GPU memory named no process when it fired between two process listings (every 5 s).
  it("lists the processes as soon as a GPU's memory jumps, not at the next tick", async () => {
    const batches = start({ SWITCHYARD_STANDIN_GPUS: "h100", SWITCHYARD_STANDIN_PERIOD_S: "4" }, { processesIntervalMs: 120_000 });
    const memory = () => batches.at(-1)?.[0]?.memUsedMiB ?? null;
    const burning = () => runner!.state().processes.some((p) => p.name === "./gpu_burn");
    // Idle, listed as idle; then the capture's load begins.
    const started = Date.now();
    await until(() => memory() !== null && memory()! < 1024 && runner!.state().processesKnown && !burning());
    await until(() => memory()! > 15_000);
    await until(() => burning(), 3_000);
    await until(() => memory()! < 1024);
    await until(() => !burning(), 3_000);
    // Not a listing per batch: at most one a second.
    const listings = calls().filter((c) => c.args.includes("--query-compute-apps")).length;
    expect(listings).toBeLessThanOrEqual(Math.ceil((Date.now() - started) / 1000) + 2);
  });

  it("restarts the loop child when it dies, with backoff", async () => {
    const batches = start({ SWITCHYARD_STANDIN_GPUS: "h100,rtx-4080-super", SWITCHYARD_STANDIN_FAULT: "die-after:2" });
    const warnings = new Set<string>();
    await until(() => {
      runner!.state().warnings.forEach((w) => warnings.add(w));
      return runner!.state().loopStarts >= 3 && batches.length >= 5;
    });
    // Each child gives two batches: five batches needed three children.
    expect(loopCalls().length).toBeGreaterThanOrEqual(3);
    for (const batch of batches) expect(batch).toHaveLength(2);
    expect([...warnings].some((w) => /exiting after 2 samples.*restarting it in/.test(w))).toBe(true);
  });

  it("drops a field the driver does not know and keeps reading", async () => {
    const batches = start({ SWITCHYARD_STANDIN_GPUS: "rtx-2080-super", SWITCHYARD_STANDIN_PHASE: "load", SWITCHYARD_STANDIN_FAULT: "missing-field:power.draw.instant" });
    await until(() => batches.length >= 2);
    expect(batches[0]![0]!.powerW).toBe(111.5);
    expect(runner!.state().fields).not.toContain("power.draw.instant");
    expect(runner!.state().fields).toContain("power.draw");
    expect(runner!.state().warnings).toEqual([]);
    const loops = loopCalls();
    expect(loops).toHaveLength(2);
    expect(loops[0]!.args).toContain("power.draw.instant");
    expect(loops[1]!.args).not.toContain("power.draw.instant");
  });

  it("reports an NVML mismatch as a warning with no GPUs, and does not spin", async () => {
    const batches = start({ SWITCHYARD_STANDIN_FAULT: "nvml-mismatch" }, { unavailableRetryMs: 60_000 });
    await until(() => runner!.state().settled);
    // An absence: no loop child and no second probe through a window well past any restart backoff.
    await holdsFor("one probe and no loop", () => loopCalls().length === 0 && calls().length <= 2, 1500);
    const state = runner!.state();
    expect(state.gpus).toEqual([]);
    expect(state.warnings).toEqual([expect.stringMatching(/^NVIDIA driver\/library version mismatch \(NVML 590\.48\).*reboot/)]);
    expect(batches).toEqual([]);
    expect(loopCalls()).toEqual([]);
    // One probe (-L and --version), then quiet until the slow retry.
    expect(calls().length).toBeLessThanOrEqual(2);
  });

  it("looks again slowly while no driver is there", async () => {
    start({ SWITCHYARD_STANDIN_FAULT: "no-driver" }, { unavailableRetryMs: 400 });
    await until(() => calls().length >= 4);
    expect(runner!.state().warnings[0]).toMatch(/cannot talk to the NVIDIA driver/);
    expect(runner!.state().gpus).toEqual([]);
  });

  it("reports a missing binary without crashing", async () => {
    start({}, { nvidiaSmi: path.join(dir, "does-not-exist") });
    await until(() => runner!.state().settled);
    expect(runner!.state()).toMatchObject({ gpus: [], processes: [], driver: null, loopStarts: 0 });
    expect(runner!.state().warnings[0]).toMatch(/^nvidia-smi was not found \(tried ".*does-not-exist"\)/);
  });

  it("kills its children on stop()", async () => {
    const batches = start({ SWITCHYARD_STANDIN_GPUS: "h100" });
    await until(() => batches.length >= 1);
    const loop = loopCalls()[0]!;
    expect(alive(loop.pid)).toBe(true);
    await runner!.stop();
    runner = null;
    expect(alive(loop.pid)).toBe(false);
    const count = batches.length;
    await holdsFor("no batch after stop()", () => batches.length === count, 500);
    expect(batches.length).toBe(count);
  });
});
