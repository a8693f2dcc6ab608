import { describe, expect, it } from "vitest";
import { CATALOG } from "../../../fit/catalog-data";
import { catalogFacts, catalogIds } from "../../../fit/catalog";
import { estimateFit } from "../../../fit/estimate";
import { paramsFromArchitecture } from "../../../fit/param-count";

describe("offline catalog", () => {
  it("holds the popular models, each with a config.json source", () => {
    expect(catalogIds().length).toBeGreaterThanOrEqual(20);
    for (const id of catalogIds()) expect(catalogFacts(id)?.reference).toBe(`https://huggingface.co/${id}/blob/main/config.json`);
  });

  it.each([
    ["Qwen/Qwen3-8B", "Qwen/Qwen3-8B", "bf16"],
    ["qwen/qwen3-8b", "Qwen/Qwen3-8B", "bf16"],
    ["https://huggingface.co/Qwen/Qwen3-8B", "Qwen/Qwen3-8B", "bf16"],
    ["Qwen/Qwen2.5-7B-Instruct-AWQ", "Qwen/Qwen2.5-7B-Instruct", "awq"],
    ["Qwen/Qwen2.5-72B-Instruct-GPTQ-Int8", "Qwen/Qwen2.5-72B-Instruct", "gptq"],
    ["neuralmagic/Meta-Llama-3.1-70B-Instruct-quantized.w8a8", "meta-llama/Llama-3.1-70B-Instruct", "w8a8"],
    ["unsloth/Qwen3-Coder-30B-A3B-Instruct-GGUF:Q8_0", "Qwen/Qwen3-Coder-30B-A3B-Instruct", "Q8_0"],
    ["bartowski/google_gemma-3-12b-it-GGUF", "google/gemma-3-12b-it", "Q4_K_M"],
    ["Qwen/Qwen3-32B-FP8", "Qwen/Qwen3-32B", "fp8"],
  ])("%s → %s (%s)", (query, id, dtype) => {
    const f = catalogFacts(query)!;
    expect(f).not.toBeNull();
    expect(f.reference).toContain(id);
    expect(f.dtype).toBe(dtype);
  });

  it("does not guess at unknown models", () => {
    expect(catalogFacts("someone/totally-new-model-9B")).toBeNull();
  });

  it("GPTQ-Int8 keeps its 8 bits, not GPTQ's usual 4", () => {
    expect(catalogFacts("Qwen/Qwen2.5-72B-Instruct-GPTQ-Int8")!.quantBits).toBe(8);
  });

  // The stated parameter counts and the architecture facts must agree, or one of them is wrong.
  it.each(CATALOG.filter((e) => e.kvLoraRank === undefined && e.architecture !== "gemma3" && e.architecture !== "gpt_oss" && e.architecture !== "glm4_moe").map((e) => [e.id]))(
    "%s: architecture facts reproduce the parameter count within 2 percent",
    (id) => {
      const f = catalogFacts(id)!;
      const derived = paramsFromArchitecture(f)!.total;
      expect(Math.abs(derived / f.params! - 1)).toBeLessThan(0.02);
    },
  );

  it("every entry gives an estimate with nothing uncertain", () => {
    for (const id of catalogIds()) {
      const r = estimateFit(catalogFacts(id)!, { engine: "vllm", ctx: 4096 });
      expect(r.uncertain, id).toEqual([]);
      expect(r.weightsBytes, id).toBeGreaterThan(0);
    }
  });
});
