/**
 * The collector end to end: `collectOnce` (what `switchyard-agent --once` prints) and the streaming
 * collector, against the stand-in nvidia-smi and against a box with no nvidia-smi at all.
 */
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { collectOnce, createCollector, type Collector } from "../../../agents/telemetry/collector";
import { telemetrySampleSchema, type TelemetrySample } from "../../../protocol/agent-wire";
import { snapshotSchema } from "../../../protocol/telemetry";
import { STANDIN } from "./capture-fixtures";

const savedEnv = { ...process.env };
let collector: Collector | null = null;
const cleanup: string[] = [];

afterEach(async () => {
  await collector?.stop();
  collector = null;
  process.env = { ...savedEnv };
  for (const dir of cleanup.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe("collectOnce", () => {
  it("with no nvidia-smi on PATH: no GPUs, one warning saying what to do, host stats still there", async () => {
    const empty = mkdtempSync(path.join(os.tmpdir(), "no-smi-"));
    cleanup.push(empty);
    process.env.PATH = empty;
    const snapshot = await collectOnce({ nvidiaSmi: "nvidia-smi" });
    expect(() => snapshotSchema.parse(snapshot)).not.toThrow();
    expect(snapshot).toMatchObject({ driver: { version: null, cuda: null }, gpus: [], processes: [] });
    expect(snapshot.warnings).toEqual([expect.stringMatching(/^nvidia-smi was not found \(tried "nvidia-smi"\): install the NVIDIA driver/)]);
    expect(snapshot.host.hostname).toBe(os.hostname());
    expect(snapshot.host.memTotalBytes).toBeGreaterThan(0);
  });

  it("reads a stand-in box: GPUs, driver and processes with the captured values", async () => {
    Object.assign(process.env, { SWITCHYARD_STANDIN_GPUS: "h100,rtx-2080-super", SWITCHYARD_STANDIN_PHASE: "load", SWITCHYARD_STANDIN_SEED: "once" });
    const snapshot = await collectOnce({ nvidiaSmi: STANDIN });
    expect(() => snapshotSchema.parse(snapshot)).not.toThrow();
    expect(snapshot.warnings).toEqual([]);
    expect(snapshot.driver).toEqual({ version: "590.48.01", cuda: "13.1" });
    expect(snapshot.gpus.map((g) => [g.index, g.name, g.memTotalMiB, g.memUsedMiB, g.utilGpuPct, g.tempC, g.powerW, g.powerLimitW])).toEqual([
      [0, "NVIDIA H100 80GB HBM3", 81559, 19818, 100, 59, 631.95, 700],
      [1, "NVIDIA GeForce RTX 2080 SUPER", 8192, 819, 8, 45, 111.5, 250],
    ]);
    const byPid = new Map(snapshot.processes.map((p) => [p.pid, p]));
    expect(byPid.get(11345)).toEqual({ gpuUuid: snapshot.gpus[0]!.uuid, pid: 11345, name: "./gpu_burn", usedMiB: 15690 });
    expect(byPid.get(105268)).toEqual({ gpuUuid: snapshot.gpus[1]!.uuid, pid: 105268, name: "ffmpeg", usedMiB: 370 });
  });

  it("turns an NVML mismatch into a single warning and resolves normally", async () => {
    process.env.SWITCHYARD_STANDIN_FAULT = "nvml-mismatch";
    const snapshot = await collectOnce({ nvidiaSmi: STANDIN });
    expect(snapshot.gpus).toEqual([]);
    expect(snapshot.warnings).toHaveLength(1);
    expect(snapshot.warnings[0]).toMatch(/version mismatch.*reboot the box or reload the nvidia kernel modules/);
  });
});

async function collect(nvidiaSmi: string, count: number, intervalMs = 250): Promise<TelemetrySample[]> {
  const samples: TelemetrySample[] = [];
  collector = createCollector({ nvidiaSmi, intervalMs, runner: { unavailableRetryMs: 60_000, processesIntervalMs: 500 } });
  await new Promise<void>((resolve, reject) => {
    const timeout = setTimeout(() => reject(new Error(`only ${samples.length} samples`)), 20_000);
    collector!.start((sample) => {
      samples.push(sample);
      if (samples.length === count) {
        clearTimeout(timeout);
        resolve();
      }
    });
  });
  return samples;
}

describe("createCollector", () => {
  it("emits one valid sample per interval with fresh GPU batches and host stats", async () => {
    Object.assign(process.env, { SWITCHYARD_STANDIN_GPUS: "rtx-4080-super,rtx-4080-super,h100-mig", SWITCHYARD_STANDIN_PERIOD_S: "2" });
    const samples = await collect(STANDIN, 8);
    for (const sample of samples) {
      telemetrySampleSchema.parse(sample);
      expect(sample.snapshot.gpus.map((g) => g.index)).toEqual([0, 1, 2]);
    }
    const gaps = samples.slice(1).map((s, i) => s.ts - samples[i]!.ts);
    const mean = gaps.reduce((a, b) => a + b, 0) / gaps.length;
    expect(mean).toBeGreaterThan(150);
    expect(mean).toBeLessThan(400);
    // Values move between samples (the stand-in glides between idle and load every 2 s).
    expect(new Set(samples.map((s) => s.snapshot.gpus[0]!.powerW)).size).toBeGreaterThan(4);
    expect(samples[samples.length - 1]!.snapshot.host.cpuPct).not.toBeNull();
    expect(samples[0]!.snapshot.driver).toEqual({ version: "595.71.05", cuda: "13.2" });
  });

  it("keeps emitting without nvidia-smi: no GPUs and the reason, every interval", async () => {
    const started = Date.now();
    const samples = await collect("/nonexistent/nvidia-smi", 4);
    for (const sample of samples) {
      telemetrySampleSchema.parse(sample);
      expect(sample.snapshot.gpus).toEqual([]);
      expect(sample.snapshot.warnings).toEqual([expect.stringMatching(/^nvidia-smi was not found/)]);
    }
    expect(Date.now() - started).toBeLessThan(4 * 250 + 1500);
  });
});

describe("the first sample of a starting agent", () => {
  // The fleet page showed every GPU of a (re)started agent with "no processes": the loop's first
  // batch went out before the first --query-compute-apps answered, and the next one was a poll away.
  it("carries the GPU processes with the first GPUs, when listing them is slower than the first batch", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "slow-apps-"));
    cleanup.push(dir);
    const smi = path.join(dir, "nvidia-smi");
    writeFileSync(smi, `#!/bin/sh\ncase "$*" in *--query-compute-apps*) sleep 1 ;; esac\nexec "${STANDIN}" "$@"\n`);
    chmodSync(smi, 0o755);
    Object.assign(process.env, { SWITCHYARD_STANDIN_GPUS: "h100", SWITCHYARD_STANDIN_PHASE: "load" });
    collector = createCollector({ nvidiaSmi: smi, intervalMs: 250, runner: { unavailableRetryMs: 60_000 } });
    const first = await new Promise<TelemetrySample>((resolve, reject) => {
      const timeout = setTimeout(() => reject(new Error("no sample with GPUs")), 20_000);
      collector!.start((sample) => {
        if (sample.snapshot.gpus.length === 0) return;
        clearTimeout(timeout);
        resolve(sample);
      });
    });
    expect(first.snapshot.processes.map((p) => p.name)).toContain("./gpu_burn");
    expect(first.snapshot.processes.every((p) => p.gpuUuid === first.snapshot.gpus[0]!.uuid)).toBe(true);
  });
});
