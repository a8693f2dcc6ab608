/**
 * A parsed GGUF header → ModelFacts. Keys are `{arch}.…` as gguf-py's constants name them;
 * what the header does not say is derived from the tensor table (layer count from `blk.N.`,
 * hidden size from token_embd) or from the per-architecture rules llama.cpp hard-codes.
 */
import type { GgufHeader, GgufValue } from "./gguf-parse";
import { emptyFacts, slidingLayersFromPeriod, withMissing, type ModelFacts } from "./model-facts";

/** llama.cpp's LlamaFileType ids → the names people use for GGUF quantizations. */
const FILE_TYPES: Record<number, string> = {
  0: "F32", 1: "F16", 2: "Q4_0", 3: "Q4_1", 7: "Q8_0", 8: "Q5_0", 9: "Q5_1", 10: "Q2_K", 11: "Q3_K_S",
  12: "Q3_K_M", 13: "Q3_K_L", 14: "Q4_K_S", 15: "Q4_K_M", 16: "Q5_K_S", 17: "Q5_K_M", 18: "Q6_K",
  19: "IQ2_XXS", 20: "IQ2_XS", 21: "Q2_K_S", 22: "IQ3_XS", 23: "IQ3_XXS", 24: "IQ1_S", 25: "IQ4_NL",
  26: "IQ3_S", 27: "IQ3_M", 28: "IQ2_S", 29: "IQ2_M", 30: "IQ4_XS", 31: "IQ1_M", 32: "BF16",
  36: "TQ1_0", 37: "TQ2_0", 38: "MXFP4_MOE", 39: "NVFP4", 40: "Q1_0",
};

/**
 * Architectures whose sliding-window layout llama.cpp hard-codes rather than reading it from
 * the file: every `period`-th layer is global.
 */
const SWA_PERIOD: Record<string, number> = { gemma2: 2, gemma3: 6, "gpt-oss": 2, cohere2: 4, gemma3n: 5 };

function num(v: GgufValue | undefined): number | null {
  return typeof v === "number" && Number.isFinite(v) ? v : null;
}

function numOrArray(v: GgufValue | undefined): number | number[] | null {
  if (typeof v === "number") return v;
  if (Array.isArray(v) && v.every((x) => typeof x === "number")) return v as number[];
  return null;
}

function maxOf(v: number | readonly number[] | null): number | null {
  if (v === null) return null;
  return typeof v === "number" ? v : Math.max(0, ...v);
}

/** Per-layer SWA flags, or a period: newer files store `sliding_window_pattern` as either. */
function slidingLayers(header: GgufHeader, arch: string, layers: number | null, window: number | null): number | null {
  if (window === null || window <= 0 || layers === null) return null;
  const pattern = header.metadata[`${arch}.attention.sliding_window_pattern`];
  if (Array.isArray(pattern)) return pattern.filter((x) => x === true || x === 1).length;
  const period = num(pattern) ?? SWA_PERIOD[arch];
  // A window with no pattern (Mistral v0.1) applies to every layer.
  return period === undefined ? layers : slidingLayersFromPeriod(layers, period);
}

function layerCountFromTensors(header: GgufHeader): number | null {
  let max = -1;
  for (const t of header.tensors) {
    const m = /^blk\.(\d+)\./.exec(t.name);
    if (m) max = Math.max(max, Number(m[1]));
  }
  return max >= 0 ? max + 1 : null;
}

export function ggufFacts(header: GgufHeader, file: string): ModelFacts {
  const md = header.metadata;
  const archValue = md["general.architecture"];
  const arch = typeof archValue === "string" ? archValue : null;
  const key = (k: string) => (arch === null ? undefined : md[`${arch}.${k}`]);
  const f = emptyFacts("gguf", file);
  f.architecture = arch;

  const embd = header.tensors.find((t) => t.name === "token_embd.weight");
  f.layers = num(key("block_count")) ?? layerCountFromTensors(header);
  f.hiddenSize = num(key("embedding_length")) ?? embd?.shape[0] ?? null;
  f.heads = maxOf(numOrArray(key("attention.head_count")));
  f.kvHeads = numOrArray(key("attention.head_count_kv")) ?? f.heads;
  const mlaKey = num(key("attention.key_length_mla"));
  f.headDimK = num(key("attention.key_length")) ?? (f.hiddenSize && f.heads ? f.hiddenSize / f.heads : null);
  f.headDimV = num(key("attention.value_length")) ?? f.headDimK;
  f.contextLength = num(key("context_length"));
  const tokens = md["tokenizer.ggml.tokens"];
  const tokenCount = Array.isArray(tokens) || (typeof tokens === "object" && tokens !== null) ? tokens.length : null;
  f.vocabSize = num(key("vocab_size")) ?? tokenCount ?? embd?.shape[1] ?? null;
  f.intermediateSize = maxOf(numOrArray(key("feed_forward_length")));
  f.slidingWindow = num(key("attention.sliding_window"));
  f.slidingLayers = arch ? slidingLayers(header, arch, f.layers, f.slidingWindow) : null;
  f.experts = num(key("expert_count"));
  f.expertsUsed = num(key("expert_used_count"));
  f.expertIntermediateSize = num(key("expert_feed_forward_length"));
  f.kvLoraRank = num(key("attention.kv_lora_rank"));
  // DeepSeek-2 files keep the decoupled RoPE key size as the rope dimension count.
  f.qkRopeHeadDim = f.kvLoraRank !== null ? num(key("rope.dimension_count")) : null;
  if (f.kvLoraRank !== null && mlaKey !== null) f.headDimK = mlaKey;

  let total = 0;
  let elements = 0;
  let unknownTypes = 0;
  for (const t of header.tensors) {
    if (t.bytes === null) unknownTypes++;
    else total += t.bytes;
    elements += t.shape.reduce((n, d) => n * d, 1);
  }
  f.weightsBytes = total;
  f.params = elements;
  f.embeddingBytes = embd?.bytes ?? null;
  f.tiedEmbeddings = embd ? !header.tensors.some((t) => t.name === "output.weight") : null;
  const ft = num(md["general.file_type"]);
  f.dtype = ft !== null ? (FILE_TYPES[ft] ?? `file_type ${ft}`) : dominantType(header);
  if (unknownTypes > 0) f.missing.push(`bytes of ${unknownTypes} tensors of unknown ggml types`);
  return withMissing(f);
}

/** The tensor type holding most bytes: a fair name for a file without general.file_type. */
function dominantType(header: GgufHeader): string | null {
  const byType = new Map<string, number>();
  for (const t of header.tensors) byType.set(t.type, (byType.get(t.type) ?? 0) + (t.bytes ?? 0));
  let best: string | null = null;
  for (const [type, bytes] of byType) if (best === null || bytes > (byType.get(best) ?? 0)) best = type;
  return best;
}
