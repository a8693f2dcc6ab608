/**
 * Bytes of the weights an engine loads: the file's own size when the stored precision is what
 * will run, otherwise parameters × the bits of the requested quantization.
 */
import { FitError } from "./errors";
import type { ModelFacts } from "./model-facts";
import { embeddingParams, paramsFromArchitecture } from "./param-count";
import { resolveQuant, type QuantSpec } from "./quant";

export interface WeightsEstimate {
  totalBytes: number;
  /** The input embedding table's bytes (llama.cpp keeps it in host memory). */
  embeddingBytes: number;
  /** The precision the estimate assumes ("Q4_K_M", "awq", "bf16", …). */
  precision: string;
  uncertain: string[];
}

/** Bits per weight of a stored dtype name; null when the name says nothing we know. */
function storedBits(f: ModelFacts): number | null {
  if (f.dtype === null) return null;
  const q = resolveQuant(f.dtype);
  if (q?.kind === "gguf") return q.bitsPerWeight;
  if (q?.kind === "checkpoint") return q.linearBits;
  if (/float8|fp8|e4m3|e5m2/i.test(f.dtype)) return 8;
  return null;
}

function sameQuant(f: ModelFacts, q: QuantSpec): boolean {
  if (f.dtype === null) return false;
  const stored = resolveQuant(f.dtype);
  return stored !== null && stored.name === q.name;
}

interface Params {
  total: number;
  embedding: number;
  lmHead: number;
}

function params(f: ModelFacts, uncertain: string[]): Params {
  const emb = embeddingParams(f);
  if (emb === null) uncertain.push("vocabSize or hiddenSize unknown: embedding size taken as 0");
  const e = emb ?? { embedding: 0, lmHead: 0 };
  if (f.params !== null) return { total: f.params, ...e };
  const arch = paramsFromArchitecture(f);
  if (arch) {
    uncertain.push("parameter count derived from the architecture (no weights sizes given)");
    return arch;
  }
  const bits = storedBits(f);
  if (f.weightsBytes !== null && bits !== null) return { total: (f.weightsBytes * 8) / bits, ...e };
  throw new FitError("facts_insufficient", `${f.id}: cannot size the weights: no file sizes, no parameter count, and the architecture facts (${f.missing.join(", ") || "layers, hidden size, heads, FFN size"}) are incomplete`, { id: f.id, missing: f.missing });
}

export function estimateWeights(f: ModelFacts, quant: QuantSpec | null): WeightsEstimate {
  const uncertain: string[] = [];
  const embParams = embeddingParams(f);

  if (quant === null || sameQuant(f, quant)) {
    if (f.weightsBytes !== null) {
      const bits = storedBits(f) ?? 16;
      const embeddingBytes = f.embeddingBytes ?? ((embParams?.embedding ?? 0) * bits) / 8;
      return { totalBytes: f.weightsBytes, embeddingBytes, precision: f.dtype ?? "as stored", uncertain };
    }
    const stored = f.dtype === null ? null : resolveQuant(f.dtype);
    if (f.quantBits === null && stored !== null) {
      quant = stored;
    } else {
      // A quantized checkpoint at its stated bit width (quantization_config.bits), or an unknown dtype.
      const p = params(f, uncertain);
      if (f.quantBits === null) uncertain.push(`stored precision ${f.dtype ?? "unknown"}: assumed 16-bit weights`);
      const embedded = p.embedding + p.lmHead;
      const total = ((p.total - embedded) * (f.quantBits ?? 16) + embedded * 16) / 8;
      return { totalBytes: total, embeddingBytes: p.embedding * 2, precision: f.dtype ?? "bf16", uncertain };
    }
  }

  const p = params(f, uncertain);
  if (quant.kind === "gguf") {
    return {
      totalBytes: (p.total * quant.bitsPerWeight) / 8,
      embeddingBytes: (p.embedding * quant.embeddingBits) / 8,
      precision: quant.name,
      uncertain,
    };
  }
  if (quant.dtypeOnly) {
    return { totalBytes: (p.total * quant.linearBits) / 8, embeddingBytes: (p.embedding * quant.linearBits) / 8, precision: quant.name, uncertain };
  }
  // Quantized checkpoints keep embeddings and the LM head at 16 bits.
  const embedded = p.embedding + p.lmHead;
  return {
    totalBytes: ((p.total - embedded) * quant.linearBits + embedded * 16) / 8,
    embeddingBytes: p.embedding * 2,
    precision: quant.name,
    uncertain,
  };
}
