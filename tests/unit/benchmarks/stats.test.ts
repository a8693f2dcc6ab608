/** A level's requests → the contract's figures; the request body's bounds; prompt sizing. */
import { describe, expect, it } from "vitest";
import { percentile, summarizeLevel, type RequestSample } from "../../../server/core/benchmarks/stats";
import { planBenchmark } from "../../../server/core/benchmarks/request";
import { benchmarkPrompt, planWords } from "../../../server/core/benchmarks/prompt";

const ok = (startedAt: number, first: number, last: number, tokens: number, extra: Partial<RequestSample> = {}): RequestSample => ({
  ok: true, error: null, startedAt, firstTokenAt: first, lastTokenAt: last, outputTokens: tokens, promptTokens: 100, engineTokensPerSec: null, backend: "box1", ...extra,
});
const failed = (error: string): RequestSample => ({
  ok: false, error, startedAt: 0, firstTokenAt: null, lastTokenAt: null, outputTokens: 0, promptTokens: null, engineTokensPerSec: null, backend: null,
});

describe("percentile", () => {
  it("interpolates between ranks, like numpy", () => {
    expect(percentile([1, 2, 3, 4], 50)).toBe(2.5);
    expect(percentile([10], 99)).toBe(10);
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 99)).toBeCloseTo(9.91);
    expect(percentile([], 50)).toBeNull();
  });
});

describe("summarizeLevel", () => {
  it("reports the median decode speed per request, TTFT percentiles, throughput and failures", () => {
    const samples = [
      ok(0, 100, 1100, 101), // 100 tok/s
      ok(0, 200, 2200, 101), // 50 tok/s
      ok(0, 300, 800, 101, { engineTokensPerSec: 190, backend: "box2" }), // 200 tok/s
      failed("HTTP 503: overloaded"),
      failed("HTTP 503: overloaded"),
    ];
    const run = summarizeLevel(4, samples, 2000);
    expect(run).toMatchObject({
      concurrency: 4, requests: 5, failed: 2,
      ttftMs: { p50: 200, p99: 298 },
      outputTokensPerSec: 100,
      aggregateTokensPerSec: 151.5,
      requestsPerSec: 1.5,
      promptTokens: 100, outputTokens: 101, durationMs: 2000, engineTokensPerSec: 190,
      backends: { box1: 2, box2: 1 },
      errors: ["HTTP 503: overloaded"],
    });
  });

  it("has no speed or TTFT when nothing answered, and no division by a zero wall time", () => {
    const run = summarizeLevel(1, [failed("refused")], 0);
    expect(run).toMatchObject({ failed: 1, ttftMs: { p50: null, p99: null }, outputTokensPerSec: null, aggregateTokensPerSec: 0, requestsPerSec: 0 });
  });
});

describe("planBenchmark", () => {
  it("fills defaults, sorts levels and drops repeats", () => {
    expect(planBenchmark({ model: " m " })).toEqual({ model: "m", concurrency: [1], requests: [10], promptTokens: 128, maxTokens: 128 });
    expect(planBenchmark({ model: "m", concurrency: [16, 1, 4, 4] }).requests).toEqual([10, 10, 32]);
    expect(planBenchmark({ model: "m", concurrency: [4, 1], requests: 3 }).requests).toEqual([3, 3]);
  });

  it.each([
    [{ model: "m", concurrency: [65] }, /at most 64/],
    [{ model: "m", concurrency: [] }, /at least one level/],
    [{ model: "m", concurrency: [1, 2, 3, 4, 5, 6, 7, 8, 9] }, /at most 8 levels/],
    [{ model: "m", requests: 10_001 }, /at most 10000/],
    [{ model: "m", maxTokens: 0 }, /at least 1/],
    [{ model: "m", promptTokens: 1.5 }, /whole number/],
    [{ model: "" }, /model is required/],
    [{ model: "m", extra: 1 }, /extra/],
  ])("refuses %j", (body, message) => {
    expect(() => planBenchmark(body)).toThrow(message);
  });
});

describe("prompts", () => {
  it("differ per request (no prompt cache hit) and are the same for the same request", () => {
    expect(benchmarkPrompt(20, 1, "run")).not.toBe(benchmarkPrompt(20, 2, "run"));
    expect(benchmarkPrompt(20, 1, "run")).toBe(benchmarkPrompt(20, 1, "run"));
    expect(benchmarkPrompt(20, 1, "run").split(" ").length).toBeGreaterThan(20);
  });

  it("scale the word count by what a probe counted", () => {
    expect(planWords(128, 128, 256)).toBe(64);
    expect(planWords(128, 128, 64)).toBe(256);
    expect(planWords(128, 128, null)).toBe(128);
    expect(planWords(10, 10, 1)).toBe(40); // capped
  });
});
