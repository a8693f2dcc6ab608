/**
 * Self-calibration, the watching part: when a deployment has been ready for a while (engines
 * allocate their buffers while loading, so memory has settled by then), its processes' real GPU
 * memory (per-process telemetry joined through the container's PIDs: the deployments' `vramMiB`)
 * is stored beside an uncorrected estimate for the same model, engine, options and GPUs. Runs on
 * fleet updates (telemetry), throttled; one measurement per deployment start.
 */
import type { Logger } from "../../../lib/logger";
import type { DeploymentView } from "../../../protocol/deployments";
import type { FitRepo } from "../../db/repos/fit-repo";
import type { Fleet } from "../fleet";
import { optionsHash } from "../../../fit/calibration";
import { estimateFit } from "../../../fit/estimate";
import { KV_DTYPES, type KvDtype } from "../../../fit/kv-cache";
import type { FitOptionsInput } from "../../../fit/options";
import { resolveQuant } from "../../../fit/quant";
import { modelKey } from "./server-facts";
import type { FitService } from "./service";

const MiB = 1024 ** 2;

export const RECORDER = {
  /** How long a deployment must have been ready before its memory is read. */
  settleMs: 20_000,
  /** At most one pass over the deployments this often, however fast telemetry arrives. */
  throttleMs: 5_000,
} as const;

/** What the recorder reads of a deployment (DeploymentView; `options` where the view carries them). */
export type MeasuredDeployment = Pick<DeploymentView, "id" | "name" | "node" | "engine" | "model" | "gpus" | "ctx" | "state" | "readyAt" | "vramMiB"> & {
  options?: { parallel?: number; kvCacheDtype?: string; util?: number; tp?: number; quantization?: string };
};

export interface RecorderDeps {
  deployments: { list(): MeasuredDeployment[] };
  fleet: Pick<Fleet, "get" | "subscribe">;
  fit: Pick<FitService, "prepare">;
  repo: FitRepo;
  log: Logger;
  now?: () => number;
  settleMs?: number;
  throttleMs?: number;
  /** Several servers on one database: only the leader measures (one row per deployment start). */
  isLeader?: () => boolean;
}

/** The deployment's own settings as fit options (an engine's KV type names → ours; unknown ones left out). */
export function deploymentFitOptions(d: Pick<MeasuredDeployment, "engine" | "ctx" | "gpus" | "options">): FitOptionsInput {
  const o = d.options ?? {};
  const kv = o.kvCacheDtype?.toLowerCase().replace(/^fp8.*$/, "fp8");
  const quant = o.quantization && resolveQuant(o.quantization) ? o.quantization : undefined;
  return {
    engine: d.engine,
    ...(d.ctx ? { ctx: d.ctx } : {}),
    ...(o.parallel ? { parallel: o.parallel } : {}),
    ...(kv && (KV_DTYPES as readonly string[]).includes(kv) ? { kvDtype: kv as KvDtype } : {}),
    ...(o.util ? { util: o.util } : {}),
    ...(quant ? { quant } : {}),
    tp: o.tp ?? Math.max(1, d.gpus.length),
  };
}

export interface Recorder {
  /** One pass now (tests; the subscription calls it throttled). */
  check(): Promise<void>;
  close(): void;
}

export function createCalibrationRecorder(deps: RecorderDeps): Recorder {
  const now = deps.now ?? Date.now;
  const settleMs = deps.settleMs ?? RECORDER.settleMs;
  // Readiness is timed on the server's clock (an agent's readyAt may be skewed): first seen ready.
  const readySince = new Map<string, number>();
  const done = new Set<string>();
  let running: Promise<void> | null = null;
  let last = 0;

  const measure = async (d: MeasuredDeployment, startKey: string): Promise<void> => {
    const gpus = deps.fleet.get(d.node)?.gpus ?? [];
    const totals = d.gpus.map((i) => gpus.find((g) => g.index === i)?.memTotalMiB ?? null);
    if (totals.some((t) => t === null)) return; // GPU memory unknown: nothing to compare against
    const options = deploymentFitOptions(d);
    // Uncorrected (overheadScale 1): measurements stay comparable however many came before.
    const p = await deps.fit.prepare(d.model, { ...options, overheadScale: 1, gpuMem: (totals as number[]).map((t) => t * MiB), gpuIndices: d.gpus });
    const r = estimateFit(p.facts, p.options);
    const stored = await deps.repo.insert({
      deploymentId: d.id, deployment: d.name, node: d.node, gpus: d.gpus, model: modelKey(d.model), engine: d.engine,
      optionsHash: optionsHash(options as Record<string, unknown>), options: options as Record<string, unknown>,
      estimatedBytes: r.totalBytes, estimatedOverheadBytes: r.overheadBytes, measuredBytes: d.vramMiB! * MiB,
      readyAt: d.readyAt ?? readySince.get(startKey)!, at: now(),
    });
    if (stored) deps.log.info({ deployment: d.name, estimatedMiB: Math.round(r.totalBytes / MiB), measuredMiB: d.vramMiB }, "fit calibration recorded");
  };

  const pass = async () => {
    if (deps.isLeader && !deps.isLeader()) return;
    const t = now();
    const seen = new Set<string>();
    for (const d of deps.deployments.list()) {
      if (d.state !== "ready" || d.gpus.length === 0) continue;
      const key = `${d.id}:${d.readyAt ?? ""}`;
      seen.add(key);
      if (done.has(key)) continue;
      const since = readySince.get(key) ?? t;
      readySince.set(key, since);
      if (t - since < settleMs || d.vramMiB === null || d.vramMiB <= 0) continue;
      done.add(key);
      await measure(d, key).catch((err) => deps.log.debug({ err: (err as Error).message, deployment: d.name }, "no fit calibration for this deployment"));
    }
    for (const k of readySince.keys()) if (!seen.has(k)) readySince.delete(k);
  };

  const check = () => (running ??= pass().finally(() => (running = null)));
  const off = deps.fleet.subscribe(() => {
    if (now() - last < (deps.throttleMs ?? RECORDER.throttleMs)) return;
    last = now();
    void check();
  });
  return { check, close: off };
}
