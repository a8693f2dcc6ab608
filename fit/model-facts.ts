/**
 * What the estimator needs to know about a model, whichever source it came from (a GGUF
 * header, a Hugging Face folder, the offline catalog, the Hub). Every fact may be unknown
 * (null): the estimator then falls back to a stated assumption and lists it as uncertain.
 */
export type FactsSource = "gguf" | "hf" | "catalog" | "hub";

export interface ModelFacts {
  source: FactsSource;
  /** File path, folder or repo id the facts describe. */
  id: string;
  architecture: string | null;
  layers: number | null;
  hiddenSize: number | null;
  heads: number | null;
  /** KV heads, or one value per layer (0 for layers without attention, e.g. hybrid models). */
  kvHeads: number | readonly number[] | null;
  headDimK: number | null;
  headDimV: number | null;
  contextLength: number | null;
  vocabSize: number | null;
  intermediateSize: number | null;
  /** Sliding-window size (tokens) and how many of the layers use it. */
  slidingWindow: number | null;
  slidingLayers: number | null;
  experts: number | null;
  expertsUsed: number | null;
  expertIntermediateSize: number | null;
  /** MLA (DeepSeek-V2/V3): the compressed KV rank and the decoupled RoPE key size per layer. */
  kvLoraRank: number | null;
  qkRopeHeadDim: number | null;
  tiedEmbeddings: boolean | null;
  /** Total parameters (all experts). */
  params: number | null;
  /** Bytes of the weights as stored (the files' dtype or quantization). */
  weightsBytes: number | null;
  /** Bytes of the input embedding table as stored: llama.cpp keeps it in host memory. */
  embeddingBytes: number | null;
  /** Stored precision: "bf16", "f16", "fp8", "Q4_K_M", "awq-4bit", … */
  dtype: string | null;
  /** Bits per weight of quantized linear layers (awq/gptq/fp8/bnb), when the checkpoint is quantized. */
  quantBits: number | null;
  /** Where the facts were read (catalog: the config.json URL). */
  reference?: string;
  /** Facts the source did not provide. */
  missing: string[];
}

/** Facts that matter to the estimate; each absent one is reported in `missing`. */
export const CORE_FACTS = ["layers", "hiddenSize", "heads", "kvHeads", "headDimK", "contextLength", "vocabSize"] as const satisfies readonly (keyof ModelFacts)[];

export function emptyFacts(source: FactsSource, id: string): ModelFacts {
  return {
    source, id, architecture: null, layers: null, hiddenSize: null, heads: null, kvHeads: null, headDimK: null,
    headDimV: null, contextLength: null, vocabSize: null, intermediateSize: null, slidingWindow: null,
    slidingLayers: null, experts: null, expertsUsed: null, expertIntermediateSize: null, kvLoraRank: null,
    qkRopeHeadDim: null, tiedEmbeddings: null, params: null, weightsBytes: null, embeddingBytes: null,
    dtype: null, quantBits: null, missing: [],
  };
}

/** Recomputes which core facts are still null; other notes in `missing` are kept. */
export function withMissing(f: ModelFacts): ModelFacts {
  const derived = new Set<string>([...CORE_FACTS, "weightsBytes"]);
  const missing = new Set(f.missing.filter((m) => !derived.has(m)));
  for (const k of CORE_FACTS) if (f[k] === null) missing.add(k);
  if (f.weightsBytes === null && f.params === null) missing.add("weightsBytes");
  return { ...f, missing: [...missing] };
}

/**
 * How many of `layers` use the sliding window, from a per-layer pattern: every `period`-th
 * layer is global (Gemma 3: period 6 → 5 of 6 sliding; gpt-oss and Gemma 2: period 2).
 */
export function slidingLayersFromPeriod(layers: number, period: number): number {
  if (period <= 1) return 0;
  return layers - Math.floor(layers / period);
}
