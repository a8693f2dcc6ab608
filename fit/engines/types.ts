/** What every engine rule gets and gives back; estimate.ts turns it into the contract's JSON. */
import type { KvDtype, KvLayout } from "../kv-cache";
import type { ModelFacts } from "../model-facts";
import type { FitOptions } from "../options";
import type { WeightsEstimate } from "../weights";

export interface Gpu {
  index: number;
  totalBytes: number;
  /** What this deployment may use: free memory when known, else the total. */
  capacityBytes: number;
}

export interface EngineInput {
  facts: ModelFacts;
  opts: FitOptions;
  weights: WeightsEstimate;
  /** KV layout per GPU (already split by tensor parallelism where the engine splits it). */
  kv: KvLayout;
  /** The KV cache's element type, "auto" resolved. */
  kvDtype: Exclude<KvDtype, "auto">;
  tp: number;
  /** Context asked for (max model length; llama.cpp: total over slots). */
  ctx: number;
  /** The model's own context limit, when known. */
  ctxLimit: number | null;
  /** The GPUs, or null when no memory was given. */
  gpus: Gpu[] | null;
}

export interface GpuUse {
  weightsBytes: number;
  kvCacheBytes: number;
  overheadBytes: number;
}

export interface EngineEstimate {
  /** One entry per GPU used (tp entries when no GPUs were given). */
  perGpu: GpuUse[];
  /** Host (CPU) memory the engine holds for weights, e.g. llama.cpp's token embeddings. */
  hostWeightsBytes: number;
  kvCacheTokens: number;
  fits: boolean | null;
  maxContext: number | null;
  /** Named parts of the overhead and engine budgets, in bytes. */
  breakdown: Record<string, number>;
  warnings: string[];
}

export const GiB = 1024 ** 3;
export const MiB = 1024 ** 2;

export function gib(bytes: number): string {
  return `${(bytes / GiB).toFixed(2)} GiB`;
}
