/**
 * Architecture facts of popular models, for fits asked by repo id with no files at hand. Each
 * `source` is the config.json the facts come from; `params` is the checkpoint's total parameter
 * count (model card / safetensors metadata). For the text stack of multimodal models
 * (Gemma 3) the facts are text_config's; `params` includes the vision tower vLLM also loads.
 */
export interface CatalogEntry {
  id: string;
  aliases?: string[];
  architecture: string;
  params: number;
  layers: number;
  hiddenSize: number;
  heads: number;
  kvHeads: number;
  headDim: number;
  contextLength: number;
  vocabSize: number;
  intermediateSize: number;
  tiedEmbeddings?: boolean;
  /** Stored precision of the official checkpoint. */
  dtype: "bf16" | "fp8" | "mxfp4";
  /** Bytes of the official checkpoint when its quantization is not uniform (gpt-oss; rounded repo file sizes). */
  weightsBytes?: number;
  experts?: number;
  expertsUsed?: number;
  expertIntermediateSize?: number;
  slidingWindow?: number;
  /** Layers using the sliding window. */
  slidingLayers?: number;
  kvLoraRank?: number;
  qkRopeHeadDim?: number;
}

const hf = (id: string) => `https://huggingface.co/${id}/blob/main/config.json`;
export const sourceOf = (e: CatalogEntry) => hf(e.id);

const QWEN3_VOCAB = 151936;
const QWEN25_VOCAB = 152064;
const LLAMA3_VOCAB = 128256;
const GEMMA3_VOCAB = 262208;

export const CATALOG: readonly CatalogEntry[] = [
  // Llama
  { id: "meta-llama/Llama-3.1-8B-Instruct", aliases: ["meta-llama/Llama-3.1-8B", "meta-llama/Meta-Llama-3.1-8B-Instruct"], architecture: "llama", params: 8_030_261_248, layers: 32, hiddenSize: 4096, heads: 32, kvHeads: 8, headDim: 128, contextLength: 131072, vocabSize: LLAMA3_VOCAB, intermediateSize: 14336, dtype: "bf16" },
  { id: "meta-llama/Llama-3.1-70B-Instruct", aliases: ["meta-llama/Llama-3.1-70B", "meta-llama/Meta-Llama-3.1-70B-Instruct", "meta-llama/Llama-3.3-70B-Instruct"], architecture: "llama", params: 70_553_706_496, layers: 80, hiddenSize: 8192, heads: 64, kvHeads: 8, headDim: 128, contextLength: 131072, vocabSize: LLAMA3_VOCAB, intermediateSize: 28672, dtype: "bf16" },
  { id: "meta-llama/Llama-3.2-3B-Instruct", aliases: ["meta-llama/Llama-3.2-3B"], architecture: "llama", params: 3_212_749_824, layers: 28, hiddenSize: 3072, heads: 24, kvHeads: 8, headDim: 128, contextLength: 131072, vocabSize: LLAMA3_VOCAB, intermediateSize: 8192, tiedEmbeddings: true, dtype: "bf16" },
  { id: "meta-llama/Llama-2-7b-hf", aliases: ["meta-llama/Llama-2-7b-chat-hf"], architecture: "llama", params: 6_738_415_616, layers: 32, hiddenSize: 4096, heads: 32, kvHeads: 32, headDim: 128, contextLength: 4096, vocabSize: 32000, intermediateSize: 11008, dtype: "bf16" },
  // Qwen3 (dense models up to 4B tie their embeddings)
  { id: "Qwen/Qwen3-0.6B", architecture: "qwen3", params: 596_049_920, layers: 28, hiddenSize: 1024, heads: 16, kvHeads: 8, headDim: 128, contextLength: 40960, vocabSize: QWEN3_VOCAB, intermediateSize: 3072, tiedEmbeddings: true, dtype: "bf16" },
  { id: "Qwen/Qwen3-1.7B", architecture: "qwen3", params: 1_720_574_976, layers: 28, hiddenSize: 2048, heads: 16, kvHeads: 8, headDim: 128, contextLength: 40960, vocabSize: QWEN3_VOCAB, intermediateSize: 6144, tiedEmbeddings: true, dtype: "bf16" },
  { id: "Qwen/Qwen3-4B", aliases: ["Qwen/Qwen3-4B-Instruct-2507", "Qwen/Qwen3-4B-Thinking-2507"], architecture: "qwen3", params: 4_022_468_096, layers: 36, hiddenSize: 2560, heads: 32, kvHeads: 8, headDim: 128, contextLength: 40960, vocabSize: QWEN3_VOCAB, intermediateSize: 9728, tiedEmbeddings: true, dtype: "bf16" },
  { id: "Qwen/Qwen3-8B", architecture: "qwen3", params: 8_190_735_360, layers: 36, hiddenSize: 4096, heads: 32, kvHeads: 8, headDim: 128, contextLength: 40960, vocabSize: QWEN3_VOCAB, intermediateSize: 12288, dtype: "bf16" },
  { id: "Qwen/Qwen3-14B", architecture: "qwen3", params: 14_768_307_200, layers: 40, hiddenSize: 5120, heads: 40, kvHeads: 8, headDim: 128, contextLength: 40960, vocabSize: QWEN3_VOCAB, intermediateSize: 17408, dtype: "bf16" },
  { id: "Qwen/Qwen3-32B", architecture: "qwen3", params: 32_762_123_264, layers: 64, hiddenSize: 5120, heads: 64, kvHeads: 8, headDim: 128, contextLength: 40960, vocabSize: QWEN3_VOCAB, intermediateSize: 25600, dtype: "bf16" },
  { id: "Qwen/Qwen3-30B-A3B", aliases: ["Qwen/Qwen3-30B-A3B-Instruct-2507", "Qwen/Qwen3-30B-A3B-Thinking-2507"], architecture: "qwen3_moe", params: 30_532_122_624, layers: 48, hiddenSize: 2048, heads: 32, kvHeads: 4, headDim: 128, contextLength: 40960, vocabSize: QWEN3_VOCAB, intermediateSize: 6144, experts: 128, expertsUsed: 8, expertIntermediateSize: 768, dtype: "bf16" },
  { id: "Qwen/Qwen3-Coder-30B-A3B-Instruct", architecture: "qwen3_moe", params: 30_532_122_624, layers: 48, hiddenSize: 2048, heads: 32, kvHeads: 4, headDim: 128, contextLength: 262144, vocabSize: QWEN3_VOCAB, intermediateSize: 6144, experts: 128, expertsUsed: 8, expertIntermediateSize: 768, dtype: "bf16" },
  // Qwen2.5 / QwQ
  { id: "Qwen/Qwen2.5-7B-Instruct", aliases: ["Qwen/Qwen2.5-7B"], architecture: "qwen2", params: 7_615_616_512, layers: 28, hiddenSize: 3584, heads: 28, kvHeads: 4, headDim: 128, contextLength: 32768, vocabSize: QWEN25_VOCAB, intermediateSize: 18944, dtype: "bf16" },
  { id: "Qwen/Qwen2.5-14B-Instruct", aliases: ["Qwen/Qwen2.5-14B"], architecture: "qwen2", params: 14_770_033_664, layers: 48, hiddenSize: 5120, heads: 40, kvHeads: 8, headDim: 128, contextLength: 32768, vocabSize: QWEN25_VOCAB, intermediateSize: 13824, dtype: "bf16" },
  { id: "Qwen/Qwen2.5-32B-Instruct", aliases: ["Qwen/Qwen2.5-32B", "Qwen/Qwen2.5-Coder-32B-Instruct"], architecture: "qwen2", params: 32_763_876_352, layers: 64, hiddenSize: 5120, heads: 40, kvHeads: 8, headDim: 128, contextLength: 32768, vocabSize: QWEN25_VOCAB, intermediateSize: 27648, dtype: "bf16" },
  { id: "Qwen/Qwen2.5-72B-Instruct", aliases: ["Qwen/Qwen2.5-72B"], architecture: "qwen2", params: 72_706_203_648, layers: 80, hiddenSize: 8192, heads: 64, kvHeads: 8, headDim: 128, contextLength: 32768, vocabSize: QWEN25_VOCAB, intermediateSize: 29568, dtype: "bf16" },
  { id: "Qwen/QwQ-32B", architecture: "qwen2", params: 32_763_876_352, layers: 64, hiddenSize: 5120, heads: 40, kvHeads: 8, headDim: 128, contextLength: 40960, vocabSize: QWEN25_VOCAB, intermediateSize: 27648, dtype: "bf16" },
  // Mistral
  { id: "mistralai/Mistral-7B-Instruct-v0.3", aliases: ["mistralai/Mistral-7B-v0.3"], architecture: "mistral", params: 7_248_023_552, layers: 32, hiddenSize: 4096, heads: 32, kvHeads: 8, headDim: 128, contextLength: 32768, vocabSize: 32768, intermediateSize: 14336, dtype: "bf16" },
  { id: "mistralai/Mistral-Small-24B-Instruct-2501", aliases: ["mistralai/Mistral-Small-24B-Base-2501"], architecture: "mistral", params: 23_572_403_200, layers: 40, hiddenSize: 5120, heads: 32, kvHeads: 8, headDim: 128, contextLength: 32768, vocabSize: 131072, intermediateSize: 32768, dtype: "bf16" },
  // Gemma 3: five sliding (1024) layers per global layer
  { id: "google/gemma-3-4b-it", architecture: "gemma3", params: 4_300_079_472, layers: 34, hiddenSize: 2560, heads: 8, kvHeads: 4, headDim: 256, contextLength: 131072, vocabSize: GEMMA3_VOCAB, intermediateSize: 10240, tiedEmbeddings: true, dtype: "bf16", slidingWindow: 1024, slidingLayers: 29 },
  { id: "google/gemma-3-12b-it", architecture: "gemma3", params: 12_187_325_040, layers: 48, hiddenSize: 3840, heads: 16, kvHeads: 8, headDim: 256, contextLength: 131072, vocabSize: GEMMA3_VOCAB, intermediateSize: 15360, tiedEmbeddings: true, dtype: "bf16", slidingWindow: 1024, slidingLayers: 40 },
  { id: "google/gemma-3-27b-it", architecture: "gemma3", params: 27_432_406_640, layers: 62, hiddenSize: 5376, heads: 32, kvHeads: 16, headDim: 128, contextLength: 131072, vocabSize: GEMMA3_VOCAB, intermediateSize: 21504, tiedEmbeddings: true, dtype: "bf16", slidingWindow: 1024, slidingLayers: 52 },
  // gpt-oss: MXFP4 experts, BF16 attention; alternating 128-token sliding and full layers
  { id: "openai/gpt-oss-20b", architecture: "gpt_oss", params: 20_914_757_184, weightsBytes: 13_761_264_768, layers: 24, hiddenSize: 2880, heads: 64, kvHeads: 8, headDim: 64, contextLength: 131072, vocabSize: 201088, intermediateSize: 2880, experts: 32, expertsUsed: 4, expertIntermediateSize: 2880, dtype: "mxfp4", slidingWindow: 128, slidingLayers: 12 },
  { id: "openai/gpt-oss-120b", architecture: "gpt_oss", params: 116_829_156_672, weightsBytes: 65_248_815_744, layers: 36, hiddenSize: 2880, heads: 64, kvHeads: 8, headDim: 64, contextLength: 131072, vocabSize: 201088, intermediateSize: 2880, experts: 128, expertsUsed: 4, expertIntermediateSize: 2880, dtype: "mxfp4", slidingWindow: 128, slidingLayers: 18 },
  // DeepSeek-V3/R1: MLA caches kv_lora_rank + qk_rope_head_dim per layer; FP8 block-quantized
  { id: "deepseek-ai/DeepSeek-V3", aliases: ["deepseek-ai/DeepSeek-V3-0324", "deepseek-ai/DeepSeek-R1", "deepseek-ai/DeepSeek-R1-0528"], architecture: "deepseek_v3", params: 671_026_419_200, layers: 61, hiddenSize: 7168, heads: 128, kvHeads: 128, headDim: 192, contextLength: 163840, vocabSize: 129280, intermediateSize: 18432, experts: 256, expertsUsed: 8, expertIntermediateSize: 2048, dtype: "fp8", kvLoraRank: 512, qkRopeHeadDim: 64 },
  // GLM-4.5-Air: 1 dense + 45 MoE layers
  { id: "zai-org/GLM-4.5-Air", aliases: ["THUDM/GLM-4.5-Air"], architecture: "glm4_moe", params: 106_852_251_648, layers: 46, hiddenSize: 4096, heads: 96, kvHeads: 8, headDim: 128, contextLength: 131072, vocabSize: 151552, intermediateSize: 10944, experts: 128, expertsUsed: 8, expertIntermediateSize: 1408, dtype: "bf16" },
  // Phi-4
  { id: "microsoft/phi-4", architecture: "phi3", params: 14_659_507_200, layers: 40, hiddenSize: 5120, heads: 40, kvHeads: 10, headDim: 128, contextLength: 16384, vocabSize: 100352, intermediateSize: 17920, dtype: "bf16" },
];
