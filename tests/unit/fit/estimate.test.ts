import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { catalogFacts } from "../../../fit/catalog";
import { FitError } from "../../../fit/errors";
import { estimateFit } from "../../../fit/estimate";
import { readGgufFacts } from "../../../fit/gguf-reader";
import { kvBytesPerElement, kvLayout } from "../../../fit/kv-cache";
import { emptyFacts, withMissing, type ModelFacts } from "../../../fit/model-facts";
import { parseByteSize } from "../../../fit/options";
import { writeGguf } from "../../fixtures/gguf/writer";

const GiB = 2 ** 30;
const MiB = 2 ** 20;
const facts = (id: string): ModelFacts => catalogFacts(id)!;

function fitError(fn: () => unknown): FitError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(FitError);
    return e as FitError;
  }
  throw new Error("expected a FitError");
}

describe("KV cache per token", () => {
  it("GQA: 2 × layers × kv heads × head dim × bytes, split by TP", () => {
    const f = facts("meta-llama/Llama-3.1-8B-Instruct");
    expect(kvLayout(f, 2).fullBytesPerToken).toBe(2 * 32 * 8 * 128 * 2);
    expect(kvLayout(f, 2, 4).fullBytesPerToken).toBe((2 * 32 * 8 * 128 * 2) / 4);
    expect(kvLayout(f, kvBytesPerElement("q8_0")).fullBytesPerToken).toBe(2 * 32 * 8 * 128 * (34 / 32));
  });

  it("replicates KV heads when TP exceeds them", () => {
    const f = facts("Qwen/Qwen2.5-7B-Instruct"); // 4 KV heads
    expect(kvLayout(f, 2, 8).fullBytesPerToken).toBe(2 * 28 * 1 * 128 * 2);
  });

  it("MLA caches the latent and the RoPE key once per layer, on every rank", () => {
    const f = facts("deepseek-ai/DeepSeek-R1");
    const l = kvLayout(f, 2, 8);
    expect(l).toMatchObject({ mla: true, fullBytesPerToken: 61 * (512 + 64) * 2, swaBytesPerToken: 0 });
  });

  it("sliding-window layers are kept apart (Gemma 3: 5 of 6 layers)", () => {
    const l = kvLayout(facts("google/gemma-3-27b-it"), 2);
    const perLayer = 2 * 16 * 128 * 2;
    expect(l.fullBytesPerToken).toBe(10 * perLayer);
    expect(l.swaBytesPerToken).toBe(52 * perLayer);
    expect(l.window).toBe(1024);
  });
});

describe("llama.cpp sliding windows and slots", () => {
  it("caches only window + ubatch per slot for sliding layers", () => {
    const f = facts("google/gemma-3-12b-it");
    const short = estimateFit(f, { engine: "llamacpp", quant: "Q4_K_M", ctx: 4096 });
    const long = estimateFit(f, { engine: "llamacpp", quant: "Q4_K_M", ctx: 131072 });
    const fullLayer = 2 * 8 * 256 * 2;
    // 8 global layers grow with context; 40 sliding layers stay at 1024 + 512 cells.
    expect(long.kvCacheBytes - short.kvCacheBytes).toBe((131072 - 4096) * 8 * fullLayer);
    expect(short.kvCacheBytes).toBe(4096 * 8 * fullLayer + 1536 * 40 * fullLayer);
  });

  it("rounds -c up to whole 256-cell slots, as llama.cpp does", () => {
    const r = estimateFit(facts("meta-llama/Llama-3.1-8B-Instruct"), { engine: "llamacpp", quant: "Q4_K_M", ctx: 5000, parallel: 3 });
    expect(r.kvCacheTokens).toBe(5376);
    expect(r.warnings.join()).toMatch(/rounds -c 5000 up to 5376/);
  });
});

describe("vLLM and SGLang rules", () => {
  const f = facts("Qwen/Qwen3-8B");

  it("vLLM's pool is what remains of util × total", () => {
    const a = estimateFit(f, { engine: "vllm", ctx: 8192, gpuMem: ["24GiB"], util: 0.9 });
    const b = estimateFit(f, { engine: "vllm", ctx: 8192, gpuMem: ["24GiB"], util: 0.8 });
    const perToken = 2 * 36 * 8 * 128 * 2;
    expect(a.fits).toBe(true);
    expect(a.kvCacheTokens - b.kvCacheTokens).toBeCloseTo((0.1 * 24 * GiB) / perToken, -2);
    // One sequence may use the whole pool, up to the model's own limit.
    expect(a.maxContext).toBe(Math.min(a.kvCacheTokens, 40960));
  });

  it("vLLM refuses to start when other processes hold memory", () => {
    const r = estimateFit(f, { engine: "vllm", ctx: 8192, gpuMem: ["24GiB"], freeBytes: ["20GiB"], util: 0.9 });
    expect(r.fits).toBe(false);
    expect(r.warnings.join()).toMatch(/GPU 0: vLLM claims 21\.60 GiB .* refuses to start/);
    expect(r.perGpu[0]).toMatchObject({ index: 0, capacityBytes: 20 * GiB });
    expect(r.maxContext).toBe(0);
  });

  it("SGLang loses exactly the memory other processes hold from its pool", () => {
    const free = estimateFit(f, { engine: "sglang", ctx: 8192, gpuMem: ["24GiB"] });
    const busy = estimateFit(f, { engine: "sglang", ctx: 8192, gpuMem: ["24GiB"], freeBytes: ["22GiB"] });
    expect(free.kvCacheTokens - busy.kvCacheTokens).toBeCloseTo((2 * GiB) / (2 * 36 * 8 * 128 * 2), -1);
    expect(busy.fits).toBe(true);
  });

  it("TP splits weights and KV per GPU and reports every GPU", () => {
    const r = estimateFit(facts("meta-llama/Llama-3.1-70B-Instruct"), { engine: "vllm", tp: 4, ctx: 32768, gpuMem: ["80GiB"], gpuIndices: [4, 5, 6, 7] });
    expect(r.perGpu.map((g) => g.index)).toEqual([4, 5, 6, 7]);
    expect(r.fits).toBe(true);
    expect(r.totalBytes).toBe(r.weightsBytes + r.kvCacheBytes + r.overheadBytes);
  });

  it("maxContext is the largest context that fits, and it does fit", () => {
    const g = facts("meta-llama/Llama-3.1-8B-Instruct");
    const r = estimateFit(g, { engine: "llamacpp", quant: "Q4_K_M", ctx: 8192, gpuMem: ["12GiB"] });
    expect(r.fits).toBe(true);
    const max = r.maxContext!;
    expect(max).toBeGreaterThan(8192);
    expect(estimateFit(g, { engine: "llamacpp", quant: "Q4_K_M", ctx: max, gpuMem: ["12GiB"] }).fits).toBe(true);
    expect(estimateFit(g, { engine: "llamacpp", quant: "Q4_K_M", ctx: max + 256, gpuMem: ["12GiB"] }).fits).toBe(false);
  });

  it("fits is null and the numbers are what is needed when no GPU is known", () => {
    const r = estimateFit(f, { engine: "vllm", ctx: 4096 });
    expect(r).toMatchObject({ fits: null, maxContext: null, kvCacheTokens: 4096, kvCacheBytes: 4096 * 2 * 36 * 8 * 128 * 2 });
    expect(r.perGpu).toEqual([{ index: 0, totalBytes: r.totalBytes, capacityBytes: 0 }]);
  });
});

describe("weights by quantization", () => {
  it("GGUF presets use whole-file bits per weight", () => {
    const f = facts("meta-llama/Llama-3.1-8B-Instruct");
    const q4 = estimateFit(f, { engine: "llamacpp", quant: "Q4_K_M", ctx: 4096 });
    expect((q4.weightsBytes + q4.hostWeightsBytes) / GiB).toBeCloseTo((8.03e9 * 4.89) / 8 / GiB, 1);
  });

  it("checkpoint quantization keeps embeddings at 16 bits", () => {
    const r = estimateFit(facts("Qwen/Qwen2.5-7B-Instruct"), { engine: "vllm", quant: "awq", ctx: 4096 });
    expect(r.weightsBytes / GiB).toBeGreaterThan(5.0);
    expect(r.weightsBytes / GiB).toBeLessThan(5.4);
  });
});

describe("impossible options are errors, never silent numbers", () => {
  const f = facts("Qwen/Qwen3-8B"); // 32 heads, 8 KV heads
  const cases: [string, unknown, RegExp][] = [
    ["tp not dividing heads", { engine: "vllm", tp: 3 }, /--tp 3 does not divide the model's 32 attention heads/],
    ["ctx ≤ 0", { ctx: 0 }, /ctx: .*(>0|positive|too small)/i],
    ["util above 1", { util: 1.2 }, /util is a fraction of GPU memory: at most 1/],
    ["unknown kv dtype", { kvDtype: "int3" }, /kvDtype must be one of auto, f32, f16, bf16, fp8, q8_0, q4_0/],
    ["kv dtype the engine lacks", { engine: "vllm", kvDtype: "q4_0" }, /vllm has no q4_0 KV cache; it takes auto, f16, bf16, fp8, f32/],
    ["unknown quant", { quant: "Q3_X" }, /unknown quantization "Q3_X": use a GGUF type \(F32, .*\) or a checkpoint method \(awq/],
    ["bad memory size", { gpuMem: ["lots"] }, /gpuMem\.0: "lots" is not a memory size/],
    ["free above total", { gpuMem: ["24GiB"], freeBytes: ["30GiB"] }, /GPU 0: free memory .* exceeds its total/],
    ["GPU count vs TP", { engine: "vllm", tp: 2, gpuMem: ["24GiB", "24GiB", "24GiB"] }, /--tp 2 uses 2 GPUs but 3 GPU sizes were given/],
    ["unknown option", { ctxx: 5 }, /Unrecognized key/i],
  ];
  for (const [name, options, message] of cases) {
    it(name, () => {
      const e = fitError(() => estimateFit(f, options as never));
      expect(e.reason).toBe("invalid_options");
      expect(e.code).toBe("bad_request");
      expect(e.message).toMatch(message);
    });
  }

  it("a model with no size facts at all", () => {
    const e = fitError(() => estimateFit(withMissing(emptyFacts("hf", "mystery")), { engine: "vllm" }));
    expect(e.reason).toBe("facts_insufficient");
    expect(e.message).toMatch(/mystery: cannot size the weights/);
  });
});

describe("unknown architectures", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "fit-unknown-"));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("estimates from what the GGUF shows and lists what is missing", async () => {
    const file = join(dir, "mystery.gguf");
    const tensors = [{ name: "token_embd.weight", type: "F16", shape: [512, 1000] }];
    for (let l = 0; l < 6; l++) tensors.push({ name: `blk.${l}.mixer.weight`, type: "Q8_0", shape: [512, 2048] });
    await writeGguf(file, { metadata: { "general.architecture": "mysterynet" }, tensors });
    const f = await readGgufFacts(file);
    expect(f).toMatchObject({ architecture: "mysterynet", layers: 6, hiddenSize: 512, heads: null, kvHeads: null });
    const r = estimateFit(f, { ctx: 4096, gpuMem: ["8GiB"] });
    expect(r.engine).toBe("llamacpp");
    expect(r.weightsBytes + r.hostWeightsBytes).toBe(512 * 1000 * 2 + 6 * 512 * 2048 * (34 / 32));
    expect(r.uncertain).toEqual(expect.arrayContaining(["missing fact: heads", "missing fact: kvHeads", "missing fact: contextLength"]));
    expect(r.uncertain.join("\n")).toMatch(/heads and kvHeads unknown: assumed full multi-head attention over the hidden size/);
    // Full MHA over the hidden size is the upper bound: 2 × 6 layers × 512 × 2 bytes per token.
    expect(r.kvCacheBytes).toBe(4096 * 2 * 6 * 512 * 2);
    expect(r.fits).toBe(true);
  });

  it("a fully known model has nothing uncertain", () => {
    expect(estimateFit(facts("Qwen/Qwen3-8B"), { ctx: 4096 }).uncertain).toEqual([]);
  });
});

describe("memory sizes", () => {
  it.each([
    ["24GiB", 24 * GiB], ["24 GB", 24e9], ["24G", 24 * GiB], ["81559MiB", 81559 * MiB], ["1024", 1024], ["1.5GiB", 1.5 * GiB],
  ])("%s", (text, bytes) => expect(parseByteSize(text)).toBe(bytes));
  it("rejects nonsense", () => expect(parseByteSize("24 potatoes")).toBeNull());
});
