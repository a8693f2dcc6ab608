/**
 * The published runs of REFERENCE.md ("VRAM accounting"), as estimator inputs and what the
 * engines reported. Shared by the accuracy test and a bench that prints the table.
 * Where a run's setting is not in its source, the assumption is written beside it.
 */
import { catalogFacts } from "../../../fit/catalog";
import type { FitOptionsInput } from "../../../fit/options";
import type { ModelFacts } from "../../../fit/model-facts";

const MiB = 2 ** 20;
const GiB = 2 ** 30;

export interface PublishedRun {
  name: string;
  source: string;
  facts: () => ModelFacts;
  options: FitOptionsInput;
  /** What the engine reported; omitted fields were not published. */
  measured: {
    /** Weights on the GPU(s), summed over GPUs. */
    weightsBytes?: number;
    hostWeightsBytes?: number;
    kvCacheBytes?: number;
    kvCacheTokens?: number;
    computeBufferBytes?: number;
    fits?: boolean;
  };
}

const facts = (id: string) => () => {
  const f = catalogFacts(id);
  if (!f) throw new Error(`catalog lacks ${id}`);
  return f;
};

export const PUBLISHED_RUNS: readonly PublishedRun[] = [
  {
    name: "Qwen3-Coder-30B-A3B Q8_0, llama.cpp, 4 slots, A100 40GB, -c 65536",
    source: "REFERENCE.md",
    facts: facts("unsloth/Qwen3-Coder-30B-A3B-Instruct-GGUF:Q8_0"),
    // A100 40GB: 40,960 MiB; recent llama.cpp turns flash attention on for CUDA by default.
    options: { engine: "llamacpp", ctx: 65536, parallel: 4, gpuMem: ["40960MiB"] },
    measured: { weightsBytes: 30658 * MiB, hostWeightsBytes: 315 * MiB, kvCacheBytes: 6144 * MiB, computeBufferBytes: 301 * MiB, fits: true },
  },
  {
    name: "Llama-2-7B Q4_K_M, llama.cpp, -c 2048",
    source: "REFERENCE.md",
    facts: facts("meta-llama/Llama-2-7b-hf"),
    // A 2023 build: no flash attention.
    options: { engine: "llamacpp", quant: "Q4_K_M", ctx: 2048, flashAttention: false },
    measured: { weightsBytes: 3821 * MiB, hostWeightsBytes: 70 * MiB, kvCacheBytes: 1024 * MiB, computeBufferBytes: 164 * MiB },
  },
  {
    name: "QwQ-32B BF16, SGLang TP4, mem 0.85, 4× L4 24GB, ctx 131072",
    source: "REFERENCE.md",
    facts: facts("Qwen/QwQ-32B"),
    // L4: 23,034 MiB each (nvidia-smi).
    options: { engine: "sglang", tp: 4, util: 0.85, ctx: 131072, gpuMem: ["23034MiB"] },
    measured: { weightsBytes: 4 * 15.54 * GiB, kvCacheTokens: 46611, fits: true },
  },
  {
    name: "Qwen2.5-7B AWQ (5.20 GiB), vLLM util 0.70, RTX 4060 8GB, ctx 4096",
    source: "vllm-project/vllm#13882",
    // 5.20 GiB of weights for a 7.6B model is a 4-bit checkpoint (AWQ); RTX 4060: 8,188 MiB.
    facts: facts("Qwen/Qwen2.5-7B-Instruct-AWQ"),
    // vLLM V0: profiled max(max_model_len, 2048) tokens over 256 sequences; graphs captured after the pool.
    options: { engine: "vllm", util: 0.7, ctx: 4096, gpuMem: ["8188MiB"], maxNumBatchedTokens: 4096, maxNumSeqs: 256, graphsInBudget: false },
    measured: { weightsBytes: 5.2032 * GiB, kvCacheTokens: 0, fits: false },
  },
  {
    name: "Llama-3.1-70B w8a8, vLLM V1, util 0.98, ctx 2048",
    source: "vllm-project/vllm#12569",
    facts: facts("neuralmagic/Meta-Llama-3.1-70B-Instruct-quantized.w8a8"),
    // GPU not stated: assumed H100 80GB (81,559 MiB); today's V1 batch defaults; graphs outside the budget then.
    options: { engine: "vllm", util: 0.98, ctx: 2048, gpuMem: ["81559MiB"], graphsInBudget: false },
    measured: { weightsBytes: 67.7229 * GiB, kvCacheTokens: 1381 * 16, fits: true },
  },
];
