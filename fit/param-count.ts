/**
 * Parameter counts from architecture facts, for sources that give no tensor sizes (a bare
 * config.json). Covers llama-style dense and MoE transformers; MLA models need their stated
 * count (the catalog carries it).
 */
import type { ModelFacts } from "./model-facts";

export interface ParamSplit {
  total: number;
  /** Input embedding table (vocab × hidden). */
  embedding: number;
  /** LM head (0 when tied to the embedding). */
  lmHead: number;
}

/** Embedding and LM-head parameters; null when vocab or hidden size is unknown. */
export function embeddingParams(f: ModelFacts): { embedding: number; lmHead: number } | null {
  if (f.vocabSize === null || f.hiddenSize === null) return null;
  const embedding = f.vocabSize * f.hiddenSize;
  return { embedding, lmHead: f.tiedEmbeddings === true ? 0 : embedding };
}

export function paramsFromArchitecture(f: ModelFacts): ParamSplit | null {
  const emb = embeddingParams(f);
  const { layers, hiddenSize: h, heads } = f;
  if (emb === null || layers === null || h === null || heads === null || f.kvLoraRank !== null) return null;
  const hd = f.headDimK ?? h / heads;
  const kv = typeof f.kvHeads === "number" ? f.kvHeads : heads;
  const attention = h * heads * hd * 2 + h * kv * hd * 2;
  let ffn: number;
  if (f.experts !== null && f.experts > 1) {
    const ie = f.expertIntermediateSize ?? f.intermediateSize;
    if (ie === null) return null;
    ffn = f.experts * 3 * h * ie + h * f.experts;
  } else {
    if (f.intermediateSize === null) return null;
    ffn = 3 * h * f.intermediateSize;
  }
  const total = emb.embedding + emb.lmHead + layers * (attention + ffn + 2 * h) + h;
  return { total, ...emb };
}
