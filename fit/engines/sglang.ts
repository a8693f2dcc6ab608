/**
 * SGLang's memory rule (model_runner.profile_max_num_token): after loading the weights,
 *   KV pool = free memory − total × (1 − mem_fraction_static)
 * on the rank with the least free memory; memory other processes hold therefore comes straight
 * out of the pool. CUDA graphs and activations live in the (1 − fraction) headroom. SGLang starts
 * whenever the pool is positive, and caps a request's length at the pool's token count.
 */
import { kvBytes } from "../kv-cache";
import { activationBytes } from "./activations";
import { GiB, gib, type EngineEstimate, type EngineInput, type GpuUse } from "./types";

export const SGLANG = {
  /** mem_fraction_static defaults by TP size (server_args.py). */
  defaultFraction(tp: number): number {
    return tp >= 16 ? 0.79 : tp >= 8 ? 0.81 : tp >= 4 ? 0.85 : tp >= 2 ? 0.87 : 0.88;
  },
  /** CUDA context and PyTorch runtime outside the weights ("avail mem" drops by this before loading). */
  runtimeBytes: 0.5 * GiB,
  /** NCCL and custom all-reduce buffers per rank when TP > 1. */
  runtimeTpBytes: 0.25 * GiB,
  /** CUDA graphs: 0.93 GB measured for QwQ-32B TP 4 on 4× L4 (REFERENCE.md). */
  cudaGraphBytes: 0.93 * GiB,
  /** Sliding-window layers get this share of the full layers' token count (swa_full_tokens_ratio). */
  swaFullTokensRatio: 0.8,
  /** Prefill chunk and decode batch its headroom must hold. */
  chunkedPrefillTokens: 8192,
  maxRunningRequests: 256,
} as const;

export function estimateSglang(input: EngineInput): EngineEstimate {
  const { facts, opts, weights, kv, tp, ctx, ctxLimit, gpus } = input;
  const warnings: string[] = [];
  const fraction = opts.util ?? SGLANG.defaultFraction(tp);
  const weightsPerRank = weights.totalBytes / tp;
  // Every overhead term scales with the self-calibration's correction (1 when uncorrected).
  const scale = opts.overheadScale;
  const runtime = (SGLANG.runtimeBytes + (tp > 1 ? SGLANG.runtimeTpBytes : 0)) * scale;
  const graphs = opts.enforceEager ? 0 : SGLANG.cudaGraphBytes * scale;
  const activations = activationBytes(facts, opts.maxNumBatchedTokens ?? SGLANG.chunkedPrefillTokens, opts.maxNumSeqs ?? SGLANG.maxRunningRequests, tp) * scale;
  // One "token" of the pool: every full layer, plus the sliding layers at their smaller share.
  const perToken = kv.fullBytesPerToken + (kv.window !== null ? SGLANG.swaFullTokensRatio : 1) * kv.swaBytesPerToken;
  const needTokens = ctx * opts.parallel;
  const overheadPerRank = runtime + graphs;
  const breakdown: Record<string, number> = {
    runtimeBytes: runtime, cudaGraphBytes: graphs, activationBytes: activations, memFractionStatic: fraction, overheadScale: scale, kvBytesPerToken: perToken,
    requiredGpuBytes: (weightsPerRank + runtime + needTokens * perToken) / fraction,
  };

  if (!gpus) {
    const perGpu: GpuUse[] = Array.from({ length: tp }, () => ({ weightsBytes: weightsPerRank, kvCacheBytes: kvBytes(kv, needTokens, needTokens), overheadBytes: overheadPerRank }));
    return { perGpu, hostWeightsBytes: 0, kvCacheTokens: needTokens, fits: null, maxContext: null, breakdown, warnings };
  }

  const pool = Math.min(...gpus.map((g) => g.capacityBytes - weightsPerRank - runtime - g.totalBytes * (1 - fraction)));
  const kvTokens = perToken > 0 ? Math.max(0, Math.floor(pool / perToken)) : 0;
  breakdown.kvPoolBytes = pool;
  let fits = kvTokens > 0;
  if (!fits) {
    warnings.push(`SGLang stops with "Not enough memory": weights and runtime need ${gib(weightsPerRank + runtime)} per GPU, more than the ${fraction} fraction leaves after other processes; raise --util or use more GPUs`);
  } else if (kvTokens < needTokens) {
    warnings.push(`SGLang starts, but its pool holds ${kvTokens} tokens: requests are capped below ${opts.parallel} × ${ctx}`);
  }
  for (const g of gpus) {
    const headroom = g.totalBytes * (1 - fraction) - Math.max(0, g.totalBytes - g.capacityBytes);
    if (fits && headroom < graphs + activations) {
      warnings.push(`GPU ${g.index}: ${gib(headroom)} outside the static fraction may not hold CUDA graphs and activations (${gib(graphs + activations)}); lower --util if it runs out of memory`);
    }
    if (g.capacityBytes < weightsPerRank + runtime) fits = false;
  }
  const maxContext = Math.min(Math.floor(kvTokens / opts.parallel), ctxLimit ?? Infinity);
  const kvPerRank = kvTokens * perToken;
  const perGpu = gpus.map(() => ({ weightsBytes: weightsPerRank, kvCacheBytes: kvPerRank, overheadBytes: overheadPerRank }));
  return { perGpu, hostWeightsBytes: 0, kvCacheTokens: kvTokens, fits, maxContext, breakdown, warnings };
}
