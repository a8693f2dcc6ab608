/**
 * vLLM's memory rule (gpu_worker.determine_available_memory):
 *   KV pool = utilization × total − weights − non-torch memory − peak activations [− CUDA graphs]
 * per rank, the smallest rank deciding for all. It refuses to start when a GPU's free memory is
 * below utilization × total, and when the pool cannot hold one request of max_model_len.
 */
import { kvBytes } from "../kv-cache";
import { activationBytes } from "./activations";
import { GiB, gib, type EngineEstimate, type EngineInput, type GpuUse } from "./types";

export const VLLM = {
  defaultUtil: 0.9,
  blockSize: 16,
  /** Memory allocated outside PyTorch after the baseline (cuBLAS workspaces; vLLM logs 0.03–0.2 GiB at TP 1). */
  nonTorchBytes: 0.2 * GiB,
  /** NCCL and custom all-reduce buffers per rank when TP > 1. */
  nonTorchTpBytes: 0.3 * GiB,
  /** CUDA context: created before the baseline, so outside the utilization budget. */
  cudaContextBytes: 0.5 * GiB,
  /** Captured CUDA graphs (FULL_AND_PIECEWISE, 512 sizes); vLLM logs 0.3–1 GiB for dense models. */
  cudaGraphBytes: 0.5 * GiB,
  /** V1 defaults for the OpenAI server: GPUs of 70 GiB and more get the larger batch. */
  largeGpuBytes: 70 * GiB,
  batchedTokens: { small: 2048, large: 8192 },
  maxSeqs: { small: 256, large: 1024 },
} as const;

export function estimateVllm(input: EngineInput): EngineEstimate {
  const { facts, opts, weights, kv, tp, ctx, ctxLimit, gpus } = input;
  const warnings: string[] = [];
  const util = opts.util ?? VLLM.defaultUtil;
  const smallest = gpus ? Math.min(...gpus.map((g) => g.totalBytes)) : null;
  const large = smallest !== null && smallest >= VLLM.largeGpuBytes;
  const tokens = opts.maxNumBatchedTokens ?? (large ? VLLM.batchedTokens.large : VLLM.batchedTokens.small);
  const seqs = opts.maxNumSeqs ?? (large ? VLLM.maxSeqs.large : VLLM.maxSeqs.small);

  const weightsPerRank = weights.totalBytes / tp;
  // Every overhead term scales with the self-calibration's correction (1 when uncorrected).
  const scale = opts.overheadScale;
  const nonTorch = (VLLM.nonTorchBytes + (tp > 1 ? VLLM.nonTorchTpBytes : 0)) * scale;
  const activations = activationBytes(facts, tokens, seqs, tp) * scale;
  const graphs = opts.enforceEager ? 0 : VLLM.cudaGraphBytes * scale;
  const cudaContext = VLLM.cudaContextBytes * scale;
  const graphsInside = opts.graphsInBudget ? graphs : 0;
  const fixed = weightsPerRank + nonTorch + activations + graphsInside;
  const perToken = kv.fullBytesPerToken + kv.swaBytesPerToken;
  const needTokens = ctx * opts.parallel;

  const overheadPerRank = nonTorch + activations + graphs + cudaContext;
  const breakdown: Record<string, number> = {
    nonTorchBytes: nonTorch, activationBytes: activations, cudaGraphBytes: graphs, cudaContextBytes: cudaContext, overheadScale: scale,
    maxNumBatchedTokens: tokens, maxNumSeqs: seqs, util, kvBytesPerToken: perToken,
    requiredGpuBytes: (fixed + needTokens * perToken) / util,
  };

  if (!gpus) {
    const kvBytesNeeded = kvBytes(kv, needTokens, needTokens);
    const perGpu: GpuUse[] = Array.from({ length: tp }, () => ({ weightsBytes: weightsPerRank, kvCacheBytes: kvBytesNeeded, overheadBytes: overheadPerRank }));
    return { perGpu, hostWeightsBytes: 0, kvCacheTokens: needTokens, fits: null, maxContext: null, breakdown, warnings };
  }

  const pool = Math.min(...gpus.map((g) => util * g.totalBytes - fixed));
  const blocks = perToken > 0 ? Math.max(0, Math.floor(pool / (perToken * VLLM.blockSize))) : 0;
  const kvTokens = blocks * VLLM.blockSize;
  const kvPerRank = kvTokens * perToken;
  breakdown.kvPoolBytes = pool;

  let fits = true;
  let starts = true;
  for (const g of gpus) {
    const claim = util * g.totalBytes + cudaContext;
    if (g.capacityBytes < claim) {
      fits = starts = false;
      warnings.push(`GPU ${g.index}: vLLM claims ${gib(util * g.totalBytes)} (${util} × ${gib(g.totalBytes)}) but only ${gib(g.capacityBytes - cudaContext)} is free after its CUDA context: it refuses to start; lower --util or free the GPU`);
    }
  }
  if (pool <= 0) {
    fits = false;
    warnings.push(`no memory left for the KV cache: weights, activations and runtime need ${gib(fixed)} per GPU of the ${gib(util * (smallest ?? 0))} budget`);
  } else if (kvTokens < needTokens) {
    fits = false;
    warnings.push(`the KV pool holds ${kvTokens} tokens, fewer than ${opts.parallel} × ${ctx}: vLLM refuses a max_model_len it cannot hold; lower --ctx or raise --util`);
  }
  // A vLLM that refuses to start serves no context at all.
  const maxContext = starts ? Math.min(Math.floor(kvTokens / opts.parallel), ctxLimit ?? Infinity) : 0;
  const perGpu = gpus.map(() => ({ weightsBytes: weightsPerRank, kvCacheBytes: kvPerRank, overheadBytes: overheadPerRank }));
  return { perGpu, hostWeightsBytes: 0, kvCacheTokens: kvTokens, fits, maxContext, breakdown, warnings };
}
