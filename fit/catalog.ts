/**
 * The offline catalog: a repo id → ModelFacts, tolerant of the names people type (any case,
 * a Hub URL, llama.cpp's `repo:QUANT`, the quantized re-uploads of a base model such as
 * `…-AWQ`, `…-FP8`, `…-GGUF`), whose precision the suffix tells.
 */
import { CATALOG, sourceOf, type CatalogEntry } from "./catalog-data";
import { emptyFacts, withMissing, type ModelFacts } from "./model-facts";
import { checkpointQuantWithBits, resolveQuant } from "./quant";

const canon = (s: string) => s.toLowerCase().replace(/^https?:\/\/(www\.)?huggingface\.co\//, "").replace(/^hf\.co\//, "").replace(/\/+$/, "");
const base = (s: string) => s.slice(s.lastIndexOf("/") + 1);

const BY_ID = new Map<string, CatalogEntry>();
const BY_NAME = new Map<string, CatalogEntry>();
for (const e of CATALOG) {
  for (const id of [e.id, ...(e.aliases ?? [])]) {
    BY_ID.set(canon(id), e);
    BY_NAME.set(base(canon(id)), e);
  }
}

/** Name suffixes of quantized re-uploads → the checkpoint's precision. */
const SUFFIXES: readonly [RegExp, { name: string; bits: number } | "gguf"][] = [
  [/-gguf$/, "gguf"],
  [/-awq$/, { name: "awq", bits: 4 }],
  [/-gptq-int4$|-gptq$/, { name: "gptq", bits: 4 }],
  [/-gptq-int8$/, { name: "gptq", bits: 8 }],
  [/-fp8(-dynamic)?$/, { name: "fp8", bits: 8 }],
  [/-(quantized\.)?w8a8$/, { name: "w8a8", bits: 8 }],
  [/-(quantized\.)?w4a16$/, { name: "w4a16", bits: 4 }],
  [/-bnb-4bit$|-unsloth-bnb-4bit$/, { name: "bitsandbytes", bits: 4 }],
];
/** Fine-tune suffixes that keep the base architecture. */
const VARIANTS = /-(instruct|it|chat|base)$/;

interface Match {
  entry: CatalogEntry;
  quant: { name: string; bits: number } | null;
  ggufQuant: string | null;
}

function match(id: string): Match | null {
  let name = canon(id);
  let ggufQuant: string | null = null;
  const tag = /:([a-z0-9_]+)$/.exec(name);
  if (tag) {
    ggufQuant = tag[1]!.toUpperCase();
    name = name.slice(0, tag.index);
  }
  let quant: Match["quant"] = null;
  for (let pass = 0; pass < 3; pass++) {
    // Re-uploaders often prefix the original org: "bartowski/google_gemma-3-12b-it-GGUF".
    const hit = BY_ID.get(name) ?? BY_NAME.get(base(name)) ?? BY_NAME.get(base(name).replace(/^[^_]+_/, ""));
    if (hit) return { entry: hit, quant, ggufQuant };
    const suffix = SUFFIXES.find(([re]) => re.test(name));
    if (suffix) {
      name = name.replace(suffix[0], "");
      if (suffix[1] === "gguf") ggufQuant ??= "Q4_K_M";
      else quant = suffix[1];
      continue;
    }
    if (!VARIANTS.test(name)) break;
    name = name.replace(VARIANTS, "");
  }
  // "org/Model-Instruct" when only "Model" is listed, or the reverse.
  const b = base(name);
  for (const [n, e] of BY_NAME) if (n.replace(VARIANTS, "") === b.replace(VARIANTS, "")) return { entry: e, quant, ggufQuant };
  return null;
}

export function catalogFacts(id: string): ModelFacts | null {
  const m = match(id);
  if (!m) return null;
  const e = m.entry;
  const f = emptyFacts("catalog", id);
  Object.assign(f, {
    architecture: e.architecture, layers: e.layers, hiddenSize: e.hiddenSize, heads: e.heads, kvHeads: e.kvHeads,
    headDimK: e.headDim, headDimV: e.kvLoraRank !== undefined ? 128 : e.headDim, contextLength: e.contextLength,
    vocabSize: e.vocabSize, intermediateSize: e.intermediateSize, slidingWindow: e.slidingWindow ?? null,
    slidingLayers: e.slidingLayers ?? null, experts: e.experts ?? null, expertsUsed: e.expertsUsed ?? null,
    expertIntermediateSize: e.expertIntermediateSize ?? null, kvLoraRank: e.kvLoraRank ?? null,
    qkRopeHeadDim: e.qkRopeHeadDim ?? null, tiedEmbeddings: e.tiedEmbeddings ?? false, params: e.params,
    weightsBytes: e.weightsBytes ?? null, dtype: e.dtype, reference: sourceOf(e),
  } satisfies Partial<ModelFacts>);
  if (e.dtype === "fp8") f.quantBits = 8;
  if (e.dtype === "mxfp4") f.quantBits = 4.25;
  if (m.quant) {
    f.dtype = m.quant.name;
    f.quantBits = checkpointQuantWithBits(m.quant.name, m.quant.bits).linearBits;
    f.weightsBytes = null;
  }
  if (m.ggufQuant && resolveQuant(m.ggufQuant)?.kind === "gguf") {
    f.dtype = resolveQuant(m.ggufQuant)!.name;
    f.quantBits = null;
    f.weightsBytes = null;
  }
  return withMissing(f);
}

export function catalogIds(): string[] {
  return CATALOG.map((e) => e.id);
}
