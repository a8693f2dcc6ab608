/**
 * llama.cpp's compute buffer: the graph allocator's peak over one ubatch. Three phases compete
 * (attention, FFN, output logits); the KQ mask is an input that stays live through the layers.
 * Sizes are float32 activations of `ub` tokens.
 *
 * Calibration (every constant below lives in COMPUTE and is fitted to these):
 * - cpu: llama.cpp b11669 (Debian llama.cpp-tools 0.7.0), llama shapes embd 1024–4096, ff
 *   2816–11008, vocab 8000–32000, ctx 1k–64k, ubatch 128–2048, 1–4 slots, FA on/off: within 4 %.
 * - cuda: REFERENCE.md's runs: Qwen3-Coder-30B-A3B Q8_0 (FA, 4 slots, 64k) 301 MiB and
 *   Llama-2-7B Q4_K_M (no FA, 2k) 164 MiB. Only two points: recalibrate when a GPU run is at hand.
 */
import type { ModelFacts } from "../model-facts";

export type Backend = "cuda" | "cpu";

interface ComputeShape {
  /** Hidden-size tensors live in the output phase beside the logits. */
  outHidden: number;
  /** Hidden-size and KV-size tensors live in the attention phase. */
  attnHidden: number;
  attnKv: number;
  /** Hidden-size and FFN-size tensors live in the FFN phase. */
  ffnHidden: number;
  ffn: number;
  /** True when the mask's memory is not reused by the logits (CPU's allocator order). */
  maskUnderLogits: boolean;
}

export const COMPUTE: Record<Backend, ComputeShape> = {
  cpu: { outHidden: 5, attnHidden: 6, attnKv: 2, ffnHidden: 5, ffn: 3, maskUnderLogits: true },
  cuda: { outHidden: 1, attnHidden: 4, attnKv: 0, ffnHidden: 5, ffn: 3, maskUnderLogits: false },
};

/** llama.cpp pads each sequence's cells to 256 (n_ctx_seq) and n_ctx to slots × that. */
export const KV_CELL_PAD = 256;

export interface ComputeInput {
  facts: ModelFacts;
  /** KV cells one sequence (stream) sees. */
  cellsPerSeq: number;
  /** The ubatch actually used: min(-ub, -b, -c). */
  ubatch: number;
  flashAttention: boolean;
  backend: Backend;
}

export function computeBufferBytes(i: ComputeInput): number {
  const f = i.facts;
  const c = COMPUTE[i.backend];
  const ub = i.ubatch;
  const h = f.hiddenSize ?? 4096;
  const heads = f.heads ?? 32;
  const kvHeads = typeof f.kvHeads === "number" ? f.kvHeads : Array.isArray(f.kvHeads) ? Math.max(0, ...f.kvHeads) : heads;
  const kvDim = kvHeads * (f.headDimK ?? h / heads);
  const ffn = f.experts !== null && f.experts > 1
    ? (f.expertsUsed ?? 8) * (f.expertIntermediateSize ?? f.intermediateSize ?? h)
    : (f.intermediateSize ?? 4 * h);
  const vocab = f.vocabSize ?? 32_000;
  const act = (n: number) => n * ub * 4;

  // FA takes an f16 mask and no KQ matrix; without it the KQ scores are heads × cells × ub floats.
  const mask = i.cellsPerSeq * ub * (i.flashAttention ? 2 : 4);
  const kq = i.flashAttention ? 0 : act(heads * i.cellsPerSeq);
  const attention = kq + act(c.attnHidden * h + c.attnKv * kvDim);
  const ffnPhase = act(c.ffnHidden * h + c.ffn * ffn);
  const logits = act(vocab);
  const output = logits + act(c.outHidden * h);
  const layers = mask + Math.max(attention, ffnPhase);
  // Where the freed mask can take the logits, the output phase does not stack on it.
  if (c.maskUnderLogits && mask < logits) return mask + Math.max(attention, ffnPhase, output);
  return Math.max(layers, output);
}
