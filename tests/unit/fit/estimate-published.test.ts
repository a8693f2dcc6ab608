/**
 * The estimator against engines' own published numbers (REFERENCE.md). Targets (issue 4):
 * llama.cpp weights and KV within 3 %; vLLM/SGLang KV capacity within 25 % and the right
 * fits/doesn't verdict.
 */
import { describe, expect, it } from "vitest";
import { estimateFit } from "../../../fit/estimate";
import { PUBLISHED_RUNS } from "./published-runs";

const within = (actual: number, expected: number, tolerance: number) => {
  const err = Math.abs(actual - expected) / expected;
  expect(err, `${actual} vs ${expected}: ${(err * 100).toFixed(1)} % off, allowed ${tolerance * 100} %`).toBeLessThanOrEqual(tolerance);
};

describe("estimates against published runs", () => {
  for (const run of PUBLISHED_RUNS) {
    it(run.name, () => {
      const r = estimateFit(run.facts(), run.options);
      const m = run.measured;
      const llamacpp = r.engine === "llamacpp";
      if (m.weightsBytes !== undefined) within(r.weightsBytes, m.weightsBytes, llamacpp ? 0.03 : 0.05);
      if (m.hostWeightsBytes !== undefined) within(r.hostWeightsBytes, m.hostWeightsBytes, 0.1);
      if (m.kvCacheBytes !== undefined) within(r.kvCacheBytes, m.kvCacheBytes, 0.03);
      if (m.computeBufferBytes !== undefined) within(r.breakdown.computeBufferBytes!, m.computeBufferBytes, 0.1);
      if (m.kvCacheTokens !== undefined) {
        if (m.kvCacheTokens === 0) expect(r.kvCacheTokens).toBe(0);
        else within(r.kvCacheTokens, m.kvCacheTokens, 0.25);
      }
      if (m.fits !== undefined) expect(r.fits).toBe(m.fits);
    });
  }

  it("vLLM's refusal names the budget it could not meet", () => {
    const run = PUBLISHED_RUNS.find((x) => x.source.endsWith("#13882"))!;
    const r = estimateFit(run.facts(), run.options);
    expect(r.warnings.join("\n")).toMatch(/no memory left for the KV cache: .* of the 5\.60 GiB budget/);
  });

  it("the 8 GB card fails with today's vLLM defaults too", () => {
    const run = PUBLISHED_RUNS.find((x) => x.source.endsWith("#13882"))!;
    const r = estimateFit(run.facts(), { engine: "vllm", util: 0.7, ctx: 4096, gpuMem: ["8188MiB"] });
    expect(r.fits).toBe(false);
  });
});
