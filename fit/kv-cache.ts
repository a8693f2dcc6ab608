/**
 * KV cache size per token, per GPU. Full-attention layers cache every token; sliding-window
 * layers only their window (engines cap those separately, so the two are kept apart); MLA
 * layers cache the compressed latent plus the decoupled RoPE key, once, not per head.
 */
import type { ModelFacts } from "./model-facts";

export const KV_DTYPES = ["auto", "f32", "f16", "bf16", "fp8", "q8_0", "q4_0"] as const;
export type KvDtype = (typeof KV_DTYPES)[number];

/** Bytes per cached element; q8_0/q4_0 are ggml blocks of 32 (34 and 18 bytes). */
const KV_BYTES: Record<Exclude<KvDtype, "auto">, number> = { f32: 4, f16: 2, bf16: 2, fp8: 1, q8_0: 34 / 32, q4_0: 18 / 32 };

export function kvBytesPerElement(dtype: Exclude<KvDtype, "auto">): number {
  return KV_BYTES[dtype];
}

export interface KvLayout {
  /** Bytes per token over all full-attention layers, on one GPU. */
  fullBytesPerToken: number;
  /** Bytes per token over all sliding-window layers, on one GPU. */
  swaBytesPerToken: number;
  window: number | null;
  /** True when the cache holds the MLA latent (replicated, not split, across tensor-parallel ranks). */
  mla: boolean;
  /** Assumptions made for facts the model did not give. */
  uncertain: string[];
}

function perLayerKvHeads(f: ModelFacts, layers: number): number[] {
  const kv = f.kvHeads ?? f.heads ?? 0;
  if (typeof kv === "number") return new Array<number>(layers).fill(kv);
  return Array.from({ length: layers }, (_, i) => kv[i] ?? kv[kv.length - 1] ?? 0);
}

/**
 * KV heads split across TP ranks; when there are fewer KV heads than ranks, engines replicate
 * them so each rank holds one.
 */
function kvHeadsPerRank(kvHeads: number, tp: number): number {
  if (kvHeads === 0) return 0;
  return Math.max(1, kvHeads / tp);
}

export function kvLayout(f: ModelFacts, bytesPerElement: number, tp = 1): KvLayout {
  const uncertain: string[] = [];
  const layers = f.layers ?? 0;
  if (f.layers === null) uncertain.push("layers unknown: KV cache taken as 0");

  if (f.kvLoraRank !== null) {
    const rope = f.qkRopeHeadDim ?? 64;
    if (f.qkRopeHeadDim === null) uncertain.push("qkRopeHeadDim unknown: assumed 64 (DeepSeek-V3)");
    return { fullBytesPerToken: layers * (f.kvLoraRank + rope) * bytesPerElement, swaBytesPerToken: 0, window: null, mla: true, uncertain };
  }

  let headK = f.headDimK;
  if (headK === null) {
    headK = f.hiddenSize && f.heads ? f.hiddenSize / f.heads : 128;
    uncertain.push(`headDimK unknown: assumed ${headK}`);
  }
  const headV = f.headDimV ?? headK;
  if (f.kvHeads === null) {
    if (f.heads !== null) uncertain.push("kvHeads unknown: assumed equal to heads (no GQA; an upper bound)");
    else if (f.hiddenSize !== null) uncertain.push("heads and kvHeads unknown: assumed full multi-head attention over the hidden size (an upper bound)");
    else uncertain.push("heads, kvHeads and hiddenSize unknown: KV cache taken as 0");
  }
  const heads = f.kvHeads === null && f.heads === null && f.hiddenSize !== null
    ? new Array<number>(layers).fill(f.hiddenSize / headK)
    : perLayerKvHeads(f, layers);

  const swa = f.slidingWindow !== null && f.slidingWindow > 0 ? Math.min(f.slidingLayers ?? 0, layers) : 0;
  let full = 0;
  let sliding = 0;
  // Which layers slide does not matter when KV heads are uniform; with per-layer heads the
  // larger layers are counted as full (an upper bound).
  const perLayer = heads.map((h) => kvHeadsPerRank(h, tp) * (headK + headV) * bytesPerElement).sort((a, b) => b - a);
  perLayer.forEach((b, i) => (i < perLayer.length - swa ? (full += b) : (sliding += b)));
  return { fullBytesPerToken: full, swaBytesPerToken: sliding, window: swa > 0 ? f.slidingWindow : null, mla: false, uncertain };
}

/** Bytes for a cache of `tokens` where sliding layers hold at most `swaTokens`. */
export function kvBytes(layout: KvLayout, tokens: number, swaTokens: number): number {
  return layout.fullBytesPerToken * tokens + layout.swaBytesPerToken * Math.min(tokens, swaTokens);
}
