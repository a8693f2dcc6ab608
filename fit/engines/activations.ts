/**
 * Peak PyTorch activation memory of a vLLM/SGLang forward pass over `tokens` tokens, plus the
 * sampler's float32 logits for `seqs` sequences. vLLM measures exactly this in its profiling run
 * (`PyTorch activation peak memory takes X GiB`).
 *
 * Calibration: Qwen2.5-7B, vLLM V0, 4096 tokens × 256 seqs → 1.42 GiB measured [vllm#13882];
 * this model gives 1.15 GiB there (V0's sampler kept more float32 copies than V1's).
 */
import type { ModelFacts } from "../model-facts";

export const ACTIVATIONS = {
  /** Live hidden-size tensors at the peak (residual, norm output, attention output, …). */
  hiddenCopies: 5,
  /** Live FFN-size tensors at the peak (gate+up output and the activation). */
  ffnCopies: 3,
  /** float32 logits copies the sampler holds (logits, probabilities, sorted values). */
  samplerCopies: 4,
  /** Activations run in the model's 16-bit dtype. */
  bytesPerElement: 2,
} as const;

export function activationBytes(f: ModelFacts, tokens: number, seqs: number, tp: number): number {
  const h = f.hiddenSize ?? 4096;
  const ffn = f.experts !== null && f.experts > 1
    ? (f.expertsUsed ?? 8) * (f.expertIntermediateSize ?? f.intermediateSize ?? h)
    : (f.intermediateSize ?? 4 * h);
  const vocab = f.vocabSize ?? 128_000;
  const model = tokens * (ACTIVATIONS.hiddenCopies * h + (ACTIVATIONS.ffnCopies * ffn) / tp) * ACTIVATIONS.bytesPerElement;
  // Logits are gathered on every rank before sampling.
  const sampler = seqs * vocab * 4 * ACTIVATIONS.samplerCopies;
  return model + sampler;
}
