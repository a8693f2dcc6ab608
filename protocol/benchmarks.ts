/**
 * Benchmarks on the wire: what `POST /api/benchmarks` takes, what the API, the CLI and the dashboard
 * read back, and the contract's JSON (`switchyard bench --json`). Types and limits only: the server
 * validates with zod (server/core/benchmarks/request.ts); the dashboard imports this file.
 */

/** Bounds on one benchmark, so that a request cannot ask the server to flood itself. */
export const BENCH_LIMITS = {
  maxConcurrency: 64,
  maxLevels: 8,
  maxRequests: 10_000,
  maxPromptTokens: 32_768,
  maxMaxTokens: 16_384,
  /** Benchmarks running at once on one server (one per model besides). */
  maxRunning: 2,
} as const;

export const BENCH_DEFAULTS = { concurrency: [1], promptTokens: 128, maxTokens: 128 } as const;

/** Requests per concurrency level when none are asked for: enough to fill every level twice. */
export function defaultRequests(concurrency: number): number {
  return Math.max(10, 2 * concurrency);
}

export interface BenchmarkRequest {
  model: string;
  concurrency?: number[];
  /** Per concurrency level. */
  requests?: number;
  promptTokens?: number;
  maxTokens?: number;
}

export type BenchmarkState = "running" | "done" | "failed" | "cancelled";

/** One concurrency level: the contract's fields first, then additive ones. */
export interface BenchRun {
  concurrency: number;
  requests: number;
  failed: number;
  ttftMs: { p50: number | null; p99: number | null };
  /** Median over requests of (output tokens − 1) / (last token time − first token time). */
  outputTokensPerSec: number | null;
  /** Output tokens of the whole level over its wall time. */
  aggregateTokensPerSec: number;
  requestsPerSec: number;
  // Additive fields
  /** Median prompt tokens as the backend counted them. */
  promptTokens: number | null;
  /** Median output tokens per request. */
  outputTokens: number | null;
  durationMs: number;
  /** The engine's own decode speed where it reports one (llama.cpp's timings.predicted_per_second), median. */
  engineTokensPerSec: number | null;
  /** Which backend answered how many requests (the gateway's x-switchyard-backend). */
  backends: Record<string, number>;
  /** The first few distinct errors of failed requests. */
  errors: string[];
}

/** What makes two results comparable: the deployment behind the route when the benchmark started. */
export interface BenchmarkContext {
  /** The route's first target, as BACKEND/MODEL. */
  target: string | null;
  backend: string | null;
  backendKind: string | null;
  engine: string | null;
  image: string | null;
  node: string | null;
  gpus: number[];
  gpuNames: string[];
  ctx: number | null;
  /** The model the deployment serves (repo id, folder or GGUF file). */
  modelFile: string | null;
}

export interface BenchmarkParams {
  concurrency: number[];
  requests: number;
  promptTokens: number;
  maxTokens: number;
  /** Whether requests asked the engine to ignore end-of-sequence (every target is a local engine). */
  ignoreEos: boolean;
}

export interface BenchmarkProgress {
  /** Index into params.concurrency of the level under way. */
  level: number;
  concurrency: number;
  done: number;
  failed: number;
  total: number;
}

export interface BenchmarkView {
  id: string;
  model: string;
  state: BenchmarkState;
  params: BenchmarkParams;
  context: BenchmarkContext;
  runs: BenchRun[];
  error: string | null;
  createdAt: number;
  finishedAt: number | null;
  /** While running. */
  progress: BenchmarkProgress | null;
}

/** Server-sent events of GET /api/benchmarks/ID/events. */
export type BenchmarkEvent =
  | { event: "progress"; data: BenchmarkProgress }
  | { event: "run"; data: BenchRun }
  | { event: "end"; data: BenchmarkView };

/** The contract's `switchyard bench --json`: its fields exactly, plus the id and context (additive). */
export function contractJson(view: BenchmarkView): {
  model: string;
  runs: Array<Pick<BenchRun, "concurrency" | "requests" | "failed" | "ttftMs" | "outputTokensPerSec" | "aggregateTokensPerSec" | "requestsPerSec">>;
  id: string;
  context: BenchmarkContext;
} {
  return {
    model: view.model,
    runs: view.runs.map((r) => ({
      concurrency: r.concurrency, requests: r.requests, failed: r.failed, ttftMs: { p50: r.ttftMs.p50, p99: r.ttftMs.p99 },
      outputTokensPerSec: r.outputTokensPerSec, aggregateTokensPerSec: r.aggregateTokensPerSec, requestsPerSec: r.requestsPerSec,
    })),
    id: view.id,
    context: view.context,
  };
}

const CSV_COLUMNS = [
  "id", "model", "created_at", "state", "engine", "image", "node", "gpus", "ctx", "model_file", "prompt_tokens_asked", "max_tokens",
  "concurrency", "requests", "failed", "ttft_p50_ms", "ttft_p99_ms", "output_tokens_per_s", "aggregate_tokens_per_s", "requests_per_s",
  "engine_tokens_per_s", "prompt_tokens", "output_tokens",
] as const;

/**
 * A cell as CSV wants it. Text a spreadsheet would run as a formula (=, +, -, @ first) is prefixed
 * with a quote: model names and images come from users.
 */
function csvCell(v: string | number | null): string {
  if (v === null) return "";
  if (typeof v === "number") return String(v);
  const safe = /^[=+\-@\t\r]/.test(v) ? `'${v}` : v;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

/** One row per benchmark and concurrency level. */
export function benchmarksCsv(views: readonly BenchmarkView[]): string {
  const lines = [CSV_COLUMNS.join(",")];
  for (const v of views) {
    const c = v.context;
    for (const r of v.runs) {
      lines.push([
        v.id, v.model, new Date(v.createdAt).toISOString(), v.state, c.engine, c.image, c.node, c.gpus.join(" "), c.ctx, c.modelFile,
        v.params.promptTokens, v.params.maxTokens, r.concurrency, r.requests, r.failed, r.ttftMs.p50, r.ttftMs.p99, r.outputTokensPerSec,
        r.aggregateTokensPerSec, r.requestsPerSec, r.engineTokensPerSec, r.promptTokens, r.outputTokens,
      ].map(csvCell).join(","));
    }
  }
  return `${lines.join("\r\n")}\r\n`;
}
