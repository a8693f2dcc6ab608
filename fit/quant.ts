/**
 * Quantization names users pass as --quant, and what they cost in bits per weight.
 *
 * GGUF presets: bits are whole-file averages (quantization mixes keep some tensors at higher
 * precision), measured on Llama-3.1-8B where REFERENCE.md lists them, otherwise the preset's
 * base type plus the same mix overhead. The embedding table's own type matters separately
 * because llama.cpp keeps it in host memory.
 * Checkpoint methods (vLLM/SGLang): bits of the quantized linear layers including group
 * scales; embeddings and the LM head stay 16-bit.
 */
import { bitsPerWeight, ggmlTypeByName } from "./ggml-types";

export interface GgufPreset {
  kind: "gguf";
  name: string;
  bitsPerWeight: number;
  embeddingBits: number;
}
export interface CheckpointQuant {
  kind: "checkpoint";
  name: string;
  /** Bits per weight of the quantized linear layers, group scales included. */
  linearBits: number;
  /** A plain dtype: every weight, embeddings included, has `linearBits`. */
  dtypeOnly: boolean;
}
export type QuantSpec = GgufPreset | CheckpointQuant;

const typeBits = (name: string): number => {
  const t = ggmlTypeByName(name);
  if (!t) throw new Error(`no ggml type ${name}`);
  return bitsPerWeight(t);
};

/** [preset, whole-file bits per weight, embedding tensor type] */
const GGUF_PRESETS: readonly [string, number, string][] = [
  ["F32", 32, "F32"], ["F16", 16, "F16"], ["BF16", 16, "BF16"],
  ["Q8_0", 8.5, "Q8_0"], ["Q6_K", 6.56, "Q6_K"],
  ["Q5_K_M", 5.7, "Q5_K"], ["Q5_K_S", 5.57, "Q5_K"], ["Q5_1", 6.04, "Q5_1"], ["Q5_0", 5.57, "Q5_0"],
  ["Q4_K_M", 4.89, "Q4_K"], ["Q4_K_S", 4.67, "Q4_K"], ["Q4_1", 5.1, "Q4_1"], ["Q4_0", 4.63, "Q4_0"],
  ["IQ4_XS", 4.46, "IQ4_XS"], ["IQ4_NL", 4.63, "IQ4_NL"], ["MXFP4_MOE", 4.63, "Q8_0"],
  ["Q3_K_L", 4.3, "Q3_K"], ["Q3_K_M", 3.91, "Q3_K"], ["Q3_K_S", 3.5, "Q3_K"],
  ["IQ3_M", 3.66, "IQ3_S"], ["IQ3_S", 3.52, "IQ3_S"], ["IQ3_XS", 3.3, "IQ3_S"], ["IQ3_XXS", 3.06, "IQ3_XXS"],
  ["Q2_K", 3.16, "Q2_K"], ["Q2_K_S", 2.97, "Q2_K"],
  ["IQ2_M", 2.7, "IQ2_S"], ["IQ2_S", 2.5, "IQ2_S"], ["IQ2_XS", 2.31, "IQ2_XS"], ["IQ2_XXS", 2.06, "IQ2_XXS"],
  ["IQ1_M", 1.75, "IQ1_M"], ["IQ1_S", 1.56, "IQ1_S"],
];

/** 4-bit group-quantized checkpoints carry a 16-bit scale and a 4-bit zero per 128 weights. */
const GROUP4 = 4 + 20 / 128;
/** bitsandbytes NF4: a double-quantized absmax per 64 weights. */
const NF4 = 4 + 8 / 64 + 32 / (64 * 256);

const CHECKPOINT: Record<string, { bits: number; dtypeOnly?: boolean }> = {
  awq: { bits: GROUP4 }, awq_marlin: { bits: GROUP4 }, gptq: { bits: GROUP4 }, gptq_marlin: { bits: GROUP4 },
  w4a16: { bits: GROUP4 }, int4: { bits: GROUP4 }, "compressed-tensors-w4a16": { bits: GROUP4 },
  fp8: { bits: 8 }, w8a8: { bits: 8 }, int8: { bits: 8 }, "compressed-tensors": { bits: 8 }, w8a16: { bits: 8 },
  bitsandbytes: { bits: NF4 }, "bnb-4bit": { bits: NF4 }, "bnb-8bit": { bits: 8 },
  mxfp4: { bits: 4.25 }, nvfp4: { bits: 4.5 },
  bf16: { bits: 16, dtypeOnly: true }, fp16: { bits: 16, dtypeOnly: true }, f16: { bits: 16, dtypeOnly: true },
  float16: { bits: 16, dtypeOnly: true }, bfloat16: { bits: 16, dtypeOnly: true },
  fp32: { bits: 32, dtypeOnly: true }, f32: { bits: 32, dtypeOnly: true }, float32: { bits: 32, dtypeOnly: true },
};

export function ggufPresets(): readonly string[] {
  return GGUF_PRESETS.map(([n]) => n);
}

export function checkpointQuantNames(): readonly string[] {
  return Object.keys(CHECKPOINT);
}

/** Resolves a --quant name; null when unknown. GGUF names are case-insensitive. */
export function resolveQuant(name: string): QuantSpec | null {
  const upper = name.toUpperCase();
  const preset = GGUF_PRESETS.find(([n]) => n === upper);
  if (preset) return { kind: "gguf", name: preset[0], bitsPerWeight: preset[1], embeddingBits: typeBits(preset[2]) };
  const lower = name.toLowerCase();
  const c = CHECKPOINT[lower];
  if (c) return { kind: "checkpoint", name: lower, linearBits: c.bits, dtypeOnly: c.dtypeOnly === true };
  return null;
}

/** A checkpoint quantization at an explicit bit width (quantization_config.bits). */
export function checkpointQuantWithBits(method: string, bits: number): CheckpointQuant {
  const base = resolveQuant(method);
  const overhead = base?.kind === "checkpoint" && !base.dtypeOnly && base.linearBits < 8 ? base.linearBits - Math.floor(base.linearBits) : 0;
  return { kind: "checkpoint", name: method.toLowerCase(), linearBits: bits + (bits < 8 ? overhead : 0), dtypeOnly: false };
}
