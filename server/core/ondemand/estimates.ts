/**
 * What a deployment would take where it would run, from the fit estimate (calibrated, as
 * `switchyard fit` computes it for the deployment's own options), cached for a minute: a room
 * decision asks for every deployment on a node, and the answer changes only with calibrations.
 */
import type { PublicSpec } from "../../../protocol/deployments";
import type { NodeView } from "../../../protocol/live";
import type { FitEstimator } from "../deployments/fit-hook";
import type { Estimate } from "./ledger";

const MiB = 1024 ** 2;
const TTL_MS = 60_000;
const MAX_ENTRIES = 2000;

export type EstimateSpec = Pick<PublicSpec, "engine" | "model" | "ctx"> & { options: Pick<PublicSpec["options"], "parallel" | "kvCacheDtype" | "util" | "tp"> };

export interface EstimateCache {
  /** The estimate for `spec` on `gpus` of `node` (none: CPU); null when it cannot be judged. */
  get(spec: EstimateSpec, node: NodeView | undefined, gpus: readonly number[]): Promise<Estimate | null>;
  /** What is known without asking (views): null when nothing is cached. */
  peek(spec: EstimateSpec, node: string, gpus: readonly number[]): Estimate | null;
}

const keyOf = (spec: EstimateSpec, node: string, gpus: readonly number[]) =>
  JSON.stringify([spec.engine, spec.model, spec.ctx ?? null, spec.options.parallel ?? null, spec.options.kvCacheDtype ?? null, spec.options.util ?? null, spec.options.tp ?? null, node, gpus]);

export function createEstimateCache(fit: FitEstimator | null, now: () => number = Date.now): EstimateCache {
  const cache = new Map<string, { at: number; value: Estimate | null }>();

  async function compute(spec: EstimateSpec, node: NodeView | undefined, gpus: readonly number[]): Promise<Estimate | null> {
    if (!fit) return null;
    const devices: Array<{ index: number; totalBytes: number; freeBytes: number }> = [];
    for (const index of gpus) {
      const total = node?.gpus.find((g) => g.index === index)?.memTotalMiB;
      // vLLM and SGLang take a share of each GPU's total: without it there is no estimate.
      if (typeof total !== "number" || !Number.isFinite(total) || total <= 0) return null;
      devices.push({ index, totalBytes: total * MiB, freeBytes: total * MiB });
    }
    const o = spec.options;
    const answer = await fit({
      engine: spec.engine, model: spec.model, ctx: spec.ctx, parallel: o.parallel, kvDtype: o.kvCacheDtype, util: o.util,
      tp: o.tp ?? Math.max(1, gpus.length), gpus: devices,
    });
    if (!answer || !Number.isFinite(answer.totalBytes) || answer.totalBytes <= 0) return null;
    const perGpuBytes = gpus.length === 0 ? [] : (answer.perGpuBytes ?? gpus.map(() => answer.totalBytes / gpus.length));
    return { perGpuBytes, cpuBytes: gpus.length === 0 ? answer.totalBytes : 0, weightsBytes: answer.weightsBytes ?? 0 };
  }

  return {
    async get(spec, node, gpus) {
      const key = keyOf(spec, node?.name ?? "", gpus);
      const hit = cache.get(key);
      if (hit && now() - hit.at < TTL_MS) return hit.value;
      const value = await compute(spec, node, gpus);
      if (cache.size >= MAX_ENTRIES) cache.clear();
      cache.set(key, { at: now(), value });
      return value;
    },
    peek: (spec, node, gpus) => cache.get(keyOf(spec, node, gpus))?.value ?? null,
  };
}
