/**
 * One concurrency level's requests → the figures a benchmark reports. Pure: the samples carry clock
 * times; nothing here reads a clock.
 */
import type { BenchRun } from "../../../protocol/benchmarks";
import { decodeTokensPerSec } from "../../../lib/chat-stream";

export interface RequestSample {
  ok: boolean;
  error: string | null;
  startedAt: number;
  firstTokenAt: number | null;
  lastTokenAt: number | null;
  outputTokens: number;
  promptTokens: number | null;
  engineTokensPerSec: number | null;
  /** The backend that answered (x-switchyard-backend), when the gateway said. */
  backend: string | null;
}

/** Linear interpolation between closest ranks (numpy's default); null for no values. */
export function percentile(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = (p / 100) * (sorted.length - 1);
  const lo = Math.floor(rank);
  const hi = Math.ceil(rank);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (rank - lo);
}

export const median = (values: readonly number[]): number | null => percentile(values, 50);

const round = (v: number | null, digits = 1): number | null => (v === null ? null : Number(v.toFixed(digits)));
const MAX_ERRORS = 5;

export function summarizeLevel(concurrency: number, samples: readonly RequestSample[], wallMs: number): BenchRun {
  const ok = samples.filter((s) => s.ok);
  const ttfts = ok.filter((s) => s.firstTokenAt !== null).map((s) => s.firstTokenAt! - s.startedAt);
  const speeds = ok.map((s) => decodeTokensPerSec(s.outputTokens, s.firstTokenAt, s.lastTokenAt)).filter((v): v is number => v !== null);
  const engine = ok.map((s) => s.engineTokensPerSec).filter((v): v is number => v !== null);
  const tokens = ok.reduce((sum, s) => sum + s.outputTokens, 0);
  const seconds = Math.max(wallMs, 1) / 1000;
  const backends: Record<string, number> = {};
  for (const s of ok) if (s.backend) backends[s.backend] = (backends[s.backend] ?? 0) + 1;
  const errors = [...new Set(samples.filter((s) => !s.ok).map((s) => s.error ?? "failed"))].slice(0, MAX_ERRORS);
  return {
    concurrency,
    requests: samples.length,
    failed: samples.length - ok.length,
    ttftMs: { p50: round(percentile(ttfts, 50)), p99: round(percentile(ttfts, 99)) },
    outputTokensPerSec: round(median(speeds), 2),
    aggregateTokensPerSec: round(tokens / seconds, 2)!,
    requestsPerSec: round(ok.length / seconds, 3)!,
    promptTokens: round(median(ok.map((s) => s.promptTokens).filter((v): v is number => v !== null)), 0),
    outputTokens: round(median(ok.map((s) => s.outputTokens)), 0),
    durationMs: Math.round(wallMs),
    engineTokensPerSec: round(median(engine), 2),
    backends,
    errors,
  };
}
