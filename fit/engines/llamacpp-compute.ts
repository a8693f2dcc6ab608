/**
 * llama.cpp's compute buffer: the graph allocator's peak over one ubatch. Three phases compete
 * (attention, FFN, output logits); the KQ mask is an input that stays live through the layers.
 * Sizes are float32 activations of `ub` tokens.
 *
 * Calibration (every constant below lives in COMPUTE and is fitted to these):
 * - cpu: llama.cpp b11669 (Debian llama.cpp-tools 0.7.0) against its own `-lv 4` figures
 *   (tests/integration/fit-accuracy.test.ts, bench/fit.ts): llama shapes embd 256–1024, ff/embd
 *   1.5–3.5, vocab 264–32000, ctx 512–32k, 1–4 slots, f32/f16/q8_0/q4_0 KV, FA on/off: within 2 %
 *   where the FFN or attention phase dominates (real models), within ~12 % on the allocator's
 *   corner cases of tiny ones (ff ≤ 2 × embd with a quantized KV cache).
 * - cuda: REFERENCE.md's runs: Qwen3-Coder-30B-A3B Q8_0 (FA, 4 slots, 64k) 301 MiB and
 *   Llama-2-7B Q4_K_M (no FA, 2k) 164 MiB. Only two points, both from builds that reserved logits
 *   for the whole ubatch: recalibrate when a GPU run of a current build is at hand.
 */
import type { KvDtype } from "../kv-cache";
import type { ModelFacts } from "../model-facts";

export type Backend = "cuda" | "cpu";

interface ComputeShape {
  /** Hidden-size tensors live in the output phase beside the logits. */
  outHidden: number;
  /** Hidden-size and KV-size tensors live in the attention phase. */
  attnHidden: number;
  attnKv: number;
  /** More hidden-size tensors in the flash-attention phase when the cache is not f16 (conversions). */
  attnHiddenNonF16Kv: number;
  /** Hidden-size and FFN-size tensors live in the FFN phase. */
  ffnHidden: number;
  ffn: number;
  /**
   * Hidden-size tensors whose freed, adjacent blocks take an FFN tensor when ffn ≤ 2 × hidden
   * (ggml-alloc merges free neighbours), so the FFN phase needs that many fewer.
   */
  ffnHiddenReused: number;
  /** True when the mask's memory is not reused by the logits (CPU's allocator order). */
  maskUnderLogits: boolean;
  /**
   * Rows the output phase computes per ubatch: "ubatch" (every token's logits, as builds before
   * n_outputs_max did) or "slots" (b11669: one output per sequence, n_outputs_max = slots).
   */
  outputRows: "ubatch" | "slots";
  /** Whether the logits output buffer (n_outputs_max × vocab floats) is device memory. */
  outputBufferOnDevice: boolean;
}

export const COMPUTE: Record<Backend, ComputeShape> = {
  cpu: {
    outHidden: 5, attnHidden: 6, attnKv: 2, attnHiddenNonF16Kv: 5, ffnHidden: 5, ffn: 3, ffnHiddenReused: 2,
    maskUnderLogits: true, outputRows: "slots", outputBufferOnDevice: true,
  },
  // The CUDA build keeps the output buffer in pinned host memory.
  cuda: {
    outHidden: 1, attnHidden: 4, attnKv: 0, attnHiddenNonF16Kv: 0, ffnHidden: 5, ffn: 3, ffnHiddenReused: 2,
    maskUnderLogits: false, outputRows: "ubatch", outputBufferOnDevice: false,
  },
};

/** llama.cpp pads each sequence's cells to 256 (n_ctx_seq) and n_ctx to slots × that. */
export const KV_CELL_PAD = 256;

export interface ComputeInput {
  facts: ModelFacts;
  /** KV cells one sequence (stream) sees. */
  cellsPerSeq: number;
  /** The ubatch actually used: min(-ub, -b, -c). */
  ubatch: number;
  /** Slots (-np): sequences the context serves at once. */
  slots: number;
  kvDtype: Exclude<KvDtype, "auto">;
  flashAttention: boolean;
  backend: Backend;
}

function shape(f: ModelFacts) {
  const h = f.hiddenSize ?? 4096;
  const heads = f.heads ?? 32;
  const kvHeads = typeof f.kvHeads === "number" ? f.kvHeads : Array.isArray(f.kvHeads) ? Math.max(0, ...f.kvHeads) : heads;
  const kvDim = kvHeads * (f.headDimK ?? h / heads);
  const ffn = f.experts !== null && f.experts > 1
    ? (f.expertsUsed ?? 8) * (f.expertIntermediateSize ?? f.intermediateSize ?? h)
    : (f.intermediateSize ?? 4 * h);
  return { h, heads, kvDim, ffn, vocab: f.vocabSize ?? 32_000 };
}

export function computeBufferBytes(i: ComputeInput): number {
  const c = COMPUTE[i.backend];
  const { h, heads, kvDim, ffn, vocab } = shape(i.facts);
  const ub = i.ubatch;
  const act = (n: number, rows = ub) => n * rows * 4;

  // FA takes an f16 mask and no KQ matrix; without it the KQ scores are heads × cells × ub floats.
  const mask = i.cellsPerSeq * ub * (i.flashAttention ? 2 : 4);
  const kq = i.flashAttention ? 0 : act(heads * i.cellsPerSeq);
  const attnHidden = c.attnHidden + (i.flashAttention && i.kvDtype !== "f16" ? c.attnHiddenNonF16Kv : 0);
  const attention = kq + act(attnHidden * h + c.attnKv * kvDim);
  const ffnHidden = ffn <= 2 * h ? c.ffnHidden - c.ffnHiddenReused : c.ffnHidden;
  const ffnPhase = act(ffnHidden * h + c.ffn * ffn);
  const rows = c.outputRows === "slots" ? Math.min(ub, i.slots) : ub;
  const logits = act(vocab, rows);
  const output = logits + act(c.outHidden * h, rows);
  const layers = mask + Math.max(attention, ffnPhase);
  // Where the freed mask can take the logits, the output phase does not stack on it.
  if (c.maskUnderLogits && mask < logits) return mask + Math.max(attention, ffnPhase, output);
  return Math.max(layers, output);
}

/** The logits buffer llama.cpp keeps beside the compute buffer (`output buffer size`), when on the device. */
export function outputBufferBytes(f: ModelFacts, slots: number, backend: Backend): number {
  return COMPUTE[backend].outputBufferOnDevice ? slots * shape(f).vocab * 4 : 0;
}
