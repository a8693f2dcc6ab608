/**
 * Self-calibration: ready deployments are measured (their processes' GPU memory) beside an
 * uncorrected estimate, stored once per start, and later estimates of the same model and engine
 * are corrected from them, bounded, saying so.
 */
import { beforeEach, describe, expect, it } from "vitest";
import type { NodeView } from "../../../protocol/live";
import { CALIBRATION, optionsHash, overheadCorrection } from "../../../fit/calibration";
import type { FleetListener } from "../../../server/core/fleet";
import { createCalibrationRecorder, type MeasuredDeployment } from "../../../server/core/fit/calibration-recorder";
import { createFitService, type FitService } from "../../../server/core/fit/service";
import { openMemoryDatabase } from "../../../server/db/client";
import { fitRepo, type FitRepo } from "../../../server/db/repos/fit-repo";
import { createLogger } from "../../../lib/logger";
import { gpu } from "../../helpers/samples";

const MiB = 2 ** 20;
const GiB = 2 ** 30;

describe("overheadCorrection", () => {
  const s = (estimatedBytes: number, estimatedOverheadBytes: number, measuredBytes: number) => ({ estimatedBytes, estimatedOverheadBytes, measuredBytes });
  it("puts the error on the overhead term: the scale that would have made the estimate right", () => {
    expect(overheadCorrection([s(10 * GiB, 1 * GiB, 10.5 * GiB)])).toEqual({ scale: 1.5, samples: 1, clamped: false });
    expect(overheadCorrection([s(10 * GiB, 1 * GiB, 9.8 * GiB)])!.scale).toBeCloseTo(0.8);
  });
  it("takes the median, so one odd deployment does not swing it", () => {
    const c = overheadCorrection([s(10 * GiB, 1 * GiB, 10.2 * GiB), s(10 * GiB, 1 * GiB, 10.3 * GiB), s(10 * GiB, 1 * GiB, 30 * GiB)]);
    expect(c!.scale).toBeCloseTo(1.3);
  });
  it("is bounded, and says so", () => {
    expect(overheadCorrection([s(10 * GiB, 1 * GiB, 40 * GiB)])).toEqual({ scale: CALIBRATION.maxScale, samples: 1, clamped: true });
    expect(overheadCorrection([s(10 * GiB, 1 * GiB, 1 * GiB)])!.scale).toBe(CALIBRATION.minScale);
  });
  it("ignores samples it cannot use", () => {
    expect(overheadCorrection([])).toBeNull();
    expect(overheadCorrection([s(10, 0, 10), s(10, 1, 0)])).toBeNull();
  });
  it("hashes options regardless of key order", () => {
    expect(optionsHash({ a: 1, b: "x" })).toBe(optionsHash({ b: "x", a: 1, c: undefined }));
    expect(optionsHash({ a: 1 })).not.toBe(optionsHash({ a: 2 }));
  });
});

describe("the recorder and corrected estimates", () => {
  let repo: FitRepo;
  let fit: FitService;
  let now: number;
  let deployments: MeasuredDeployment[];
  const listeners: FleetListener[] = [];
  const node: Pick<NodeView, "name" | "gpus"> = { name: "box1", gpus: [gpu(0, { memTotalMiB: 24576 }), gpu(1, { memTotalMiB: 24576 })] };
  const fleet = {
    get: (name: string) => (name === "box1" ? (node as NodeView) : null),
    list: () => [{ ...(node as NodeView), online: true }],
    subscribe: (l: FleetListener) => (listeners.push(l), () => void listeners.splice(listeners.indexOf(l), 1)),
  };
  const llama = (id: string, vramMiB: number | null, over: Partial<MeasuredDeployment> = {}): MeasuredDeployment => ({
    id, name: `llama-${id}`, node: "box1", engine: "llamacpp", model: "meta-llama/Llama-3.1-8B-Instruct", gpus: [0], ctx: 16384,
    state: "ready", readyAt: 1000, vramMiB, options: { parallel: 2, quantization: "Q4_K_M" }, ...over,
  });
  const ask = { model: "Meta-Llama/Llama-3.1-8B-Instruct", engine: "llamacpp", quant: "Q4_K_M", ctx: 16384, parallel: 2, gpuMem: ["24GiB"] };

  beforeEach(() => {
    repo = fitRepo(openMemoryDatabase());
    fit = createFitService({ fleet, repo, hub: null });
    now = 1_000_000;
    deployments = [];
  });
  const recorder = () => createCalibrationRecorder({ deployments: { list: () => deployments }, fleet, fit, repo, log: createLogger("test"), now: () => now, settleMs: 20_000 });

  it("measures a deployment once it has been ready a while, once per start", async () => {
    const raw = await fit.estimate(ask);
    const measured = Math.round((raw.totalBytes + 600 * MiB) / MiB);
    deployments = [llama("a", measured)];
    const r = recorder();
    await r.check();
    expect(await repo.list(10)).toHaveLength(0); // just became ready: not settled yet
    now += 21_000;
    await r.check();
    await r.check();
    const rows = await repo.list(10);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ deployment: "llama-a", model: "meta-llama/llama-3.1-8b-instruct", engine: "llamacpp", gpus: [0], measuredBytes: measured * MiB });
    expect(rows[0]!.estimatedBytes).toBe(raw.totalBytes);
    expect(rows[0]!.error).toBeLessThan(0);
    r.close();
  });

  it("skips deployments it cannot measure: not ready, no GPU, no telemetry", async () => {
    deployments = [llama("b", null), llama("c", 5000, { state: "loading" }), llama("d", 5000, { gpus: [] })];
    const r = recorder();
    await r.check();
    now += 60_000;
    await r.check();
    expect(await repo.list(10)).toHaveLength(0);
    r.close();
  });

  it("corrects later estimates of the same model and engine, and says by how many measurements", async () => {
    const raw = await fit.estimate(ask);
    const measuredBytes = raw.totalBytes + 600 * MiB;
    deployments = [llama("a", Math.round(measuredBytes / MiB)), llama("e", Math.round(measuredBytes / MiB), { readyAt: 2000 })];
    const r = recorder();
    await r.check();
    now += 21_000;
    await r.check();
    const corrected = await fit.estimate(ask);
    expect(corrected.warnings[0]).toMatch(/^corrected by 2 measurements of this model on this engine: overhead × \d\.\d\d/);
    expect(Math.abs(corrected.totalBytes - measuredBytes)).toBeLessThan(0.01 * measuredBytes);
    expect(Math.abs(raw.totalBytes - measuredBytes)).toBeGreaterThan(0.05 * measuredBytes);
    // Another engine, or an explicit scale, is not corrected.
    expect((await fit.estimate({ ...ask, engine: "vllm", quant: undefined })).warnings.join()).not.toMatch(/corrected/);
    expect((await fit.estimate({ ...ask, overheadScale: 1 })).totalBytes).toBe(raw.totalBytes);
    // The matrix is corrected the same way.
    const m = await fit.matrix({ model: ask.model, engine: "llamacpp", quant: "Q4_K_M", ctx: 16384, parallel: 2 });
    expect(m.warnings.join()).toMatch(/corrected by 2 measurements/);
    r.close();
  });

  it("starts a pass on telemetry, throttled", async () => {
    deployments = [llama("f", 6000)];
    const r = createCalibrationRecorder({ deployments: { list: () => deployments }, fleet, fit, repo, log: createLogger("test"), now: () => now, settleMs: 0, throttleMs: 5000 });
    listeners.forEach((l) => l(node as NodeView, Date.now(), "local"));
    await r.check();
    expect(await repo.list(10)).toHaveLength(1);
    r.close();
    expect(listeners).toHaveLength(0);
  });
});
