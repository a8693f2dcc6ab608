/**
 * The body of `POST /api/benchmarks`, checked at the edge: every field bounded (BENCH_LIMITS), the
 * defaults filled in, levels sorted and without repeats.
 */
import { z } from "zod";
import { BENCH_DEFAULTS, BENCH_LIMITS, defaultRequests } from "../../../protocol/benchmarks";

const L = BENCH_LIMITS;
const int = (what: string, max: number) =>
  z.number({ error: `${what} must be a whole number` }).int(`${what} must be a whole number`).min(1, `${what} must be at least 1`).max(max, `${what} must be at most ${max}`);

export const benchmarkRequestSchema = z.strictObject({
  model: z.string({ error: "model is required (a routable model: see GET /v1/models)" }).trim().min(1, "model is required").max(256, "model: at most 256 characters"),
  concurrency: z.array(int("each concurrency", L.maxConcurrency)).min(1, "concurrency: at least one level").max(L.maxLevels, `concurrency: at most ${L.maxLevels} levels`).optional(),
  requests: int("requests", L.maxRequests).optional(),
  promptTokens: int("promptTokens", L.maxPromptTokens).optional(),
  maxTokens: int("maxTokens", L.maxMaxTokens).optional(),
});

export interface BenchmarkPlan {
  model: string;
  concurrency: number[];
  /** Requests of each level, in the order of `concurrency`. */
  requests: number[];
  promptTokens: number;
  maxTokens: number;
}

export function planBenchmark(body: unknown): BenchmarkPlan {
  const b = benchmarkRequestSchema.parse(body);
  const concurrency = [...new Set(b.concurrency ?? BENCH_DEFAULTS.concurrency)].sort((x, y) => x - y);
  return {
    model: b.model,
    concurrency,
    requests: concurrency.map((c) => b.requests ?? defaultRequests(c)),
    promptTokens: b.promptTokens ?? BENCH_DEFAULTS.promptTokens,
    maxTokens: b.maxTokens ?? BENCH_DEFAULTS.maxTokens,
  };
}
