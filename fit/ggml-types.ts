/**
 * ggml tensor types as GGUF stores them: id → (elements per block, bytes per block).
 * Values follow gguf-py's GGML_QUANT_SIZES (QK_K = 256). Ids 4, 5 and 31–33, 36–38 were
 * removed from ggml and never appear in current files.
 */
export interface GgmlType {
  readonly id: number;
  readonly name: string;
  readonly blockSize: number;
  readonly typeSize: number;
}

const QK_K = 256;

const TYPES: readonly GgmlType[] = [
  { id: 0, name: "F32", blockSize: 1, typeSize: 4 },
  { id: 1, name: "F16", blockSize: 1, typeSize: 2 },
  { id: 2, name: "Q4_0", blockSize: 32, typeSize: 2 + 16 },
  { id: 3, name: "Q4_1", blockSize: 32, typeSize: 2 + 2 + 16 },
  { id: 6, name: "Q5_0", blockSize: 32, typeSize: 2 + 4 + 16 },
  { id: 7, name: "Q5_1", blockSize: 32, typeSize: 2 + 2 + 4 + 16 },
  { id: 8, name: "Q8_0", blockSize: 32, typeSize: 2 + 32 },
  { id: 9, name: "Q8_1", blockSize: 32, typeSize: 4 + 4 + 32 },
  { id: 10, name: "Q2_K", blockSize: QK_K, typeSize: 2 + 2 + QK_K / 16 + QK_K / 4 },
  { id: 11, name: "Q3_K", blockSize: QK_K, typeSize: 2 + QK_K / 4 + QK_K / 8 + 12 },
  { id: 12, name: "Q4_K", blockSize: QK_K, typeSize: 2 + 2 + QK_K / 2 + 12 },
  { id: 13, name: "Q5_K", blockSize: QK_K, typeSize: 2 + 2 + QK_K / 2 + QK_K / 8 + 12 },
  { id: 14, name: "Q6_K", blockSize: QK_K, typeSize: 2 + QK_K / 2 + QK_K / 4 + QK_K / 16 },
  { id: 15, name: "Q8_K", blockSize: QK_K, typeSize: 4 + QK_K + QK_K / 8 },
  { id: 16, name: "IQ2_XXS", blockSize: QK_K, typeSize: 2 + QK_K / 4 },
  { id: 17, name: "IQ2_XS", blockSize: QK_K, typeSize: 2 + QK_K / 4 + QK_K / 32 },
  { id: 18, name: "IQ3_XXS", blockSize: QK_K, typeSize: 2 + QK_K / 4 + QK_K / 8 },
  { id: 19, name: "IQ1_S", blockSize: QK_K, typeSize: 2 + QK_K / 8 + QK_K / 16 },
  { id: 20, name: "IQ4_NL", blockSize: 32, typeSize: 2 + 16 },
  { id: 21, name: "IQ3_S", blockSize: QK_K, typeSize: 2 + QK_K / 4 + QK_K / 8 + QK_K / 32 + 4 },
  { id: 22, name: "IQ2_S", blockSize: QK_K, typeSize: 2 + QK_K / 4 + QK_K / 16 },
  { id: 23, name: "IQ4_XS", blockSize: QK_K, typeSize: 2 + 2 + QK_K / 2 + QK_K / 64 },
  { id: 24, name: "I8", blockSize: 1, typeSize: 1 },
  { id: 25, name: "I16", blockSize: 1, typeSize: 2 },
  { id: 26, name: "I32", blockSize: 1, typeSize: 4 },
  { id: 27, name: "I64", blockSize: 1, typeSize: 8 },
  { id: 28, name: "F64", blockSize: 1, typeSize: 8 },
  { id: 29, name: "IQ1_M", blockSize: QK_K, typeSize: QK_K / 8 + QK_K / 16 + QK_K / 32 },
  { id: 30, name: "BF16", blockSize: 1, typeSize: 2 },
  { id: 34, name: "TQ1_0", blockSize: QK_K, typeSize: 2 + 4 * 13 },
  { id: 35, name: "TQ2_0", blockSize: QK_K, typeSize: 2 + 64 },
  { id: 39, name: "MXFP4", blockSize: 32, typeSize: 1 + 16 },
  { id: 40, name: "NVFP4", blockSize: 64, typeSize: 4 + 32 },
  { id: 41, name: "Q1_0", blockSize: 128, typeSize: 2 + 16 },
];

const BY_ID = new Map(TYPES.map((t) => [t.id, t]));
const BY_NAME = new Map(TYPES.map((t) => [t.name, t]));

export function ggmlTypeById(id: number): GgmlType | undefined {
  return BY_ID.get(id);
}

export function ggmlTypeByName(name: string): GgmlType | undefined {
  return BY_NAME.get(name.toUpperCase());
}

export function allGgmlTypes(): readonly GgmlType[] {
  return TYPES;
}

/** Bits per weight of a type, e.g. 4.5 for Q4_K. */
export function bitsPerWeight(type: GgmlType): number {
  return (type.typeSize * 8) / type.blockSize;
}

/**
 * Bytes of a tensor: ggml stores rows (the first dimension) as whole blocks, so the first
 * dimension must be a multiple of the block size; callers get null when it is not.
 */
export function tensorBytes(type: GgmlType, shape: readonly number[]): number | null {
  const first = shape[0] ?? 1;
  if (first % type.blockSize !== 0) return null;
  const elements = shape.reduce((n, d) => n * d, 1);
  return (elements / type.blockSize) * type.typeSize;
}
