/**
 * `switchyard bench MODEL [--concurrency 1,4,16] [--requests N] [--prompt-tokens N] [--max-tokens N] [--json]`
 * → the body of POST /api/benchmarks. Bad input is a usage error (exit 2) that names the flag and
 * its bounds; the server checks the same bounds again.
 */
import { parseArgs } from "node:util";
import { BENCH_LIMITS, type BenchmarkRequest } from "../protocol/benchmarks";
import { CliError } from "./client";

export const BENCH_USAGE = `Usage: switchyard bench MODEL [options]

Loads a routable model through the gateway and measures it: time to first token, decode speed per
request, aggregate throughput. The server runs it and keeps the result (dashboard: Benchmarks).

Options:
  --concurrency 1,4,16   requests in flight at once, one level each (default 1; at most ${BENCH_LIMITS.maxConcurrency}, ${BENCH_LIMITS.maxLevels} levels)
  --requests N           requests per level (default max(10, 2 x concurrency); at most ${BENCH_LIMITS.maxRequests})
  --prompt-tokens N      prompt length in tokens, about (default 128)
  --max-tokens N         tokens to generate per request (default 128)
  --json                 print {"model", "runs": [...]} instead of a table
Ctrl+C cancels the benchmark on the server.`;

export interface BenchArgs {
  body: BenchmarkRequest;
  json: boolean;
}

function whole(flag: string, text: string | undefined, max: number): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!/^\d+$/.test(text.trim()) || n < 1 || n > max) throw new CliError(`${flag} must be a whole number from 1 to ${max}, got '${text}'`, 2);
  return n;
}

export function parseBenchArgs(argv: string[]): BenchArgs | "help" {
  const { values, positionals } = parseArgs({
    args: argv, allowPositionals: true,
    options: {
      concurrency: { type: "string" }, requests: { type: "string" }, "prompt-tokens": { type: "string" }, "max-tokens": { type: "string" },
      json: { type: "boolean" }, help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) return "help";
  const [model, ...extra] = positionals;
  if (!model) throw new CliError(`bench needs the MODEL to load (a route or deployment name: see GET /v1/models)\n\n${BENCH_USAGE}`, 2);
  if (extra.length) throw new CliError(`unexpected argument '${extra[0]}' (one MODEL per benchmark)`, 2);
  let concurrency: number[] | undefined;
  if (values.concurrency !== undefined) {
    const parts = values.concurrency.split(",").map((s) => s.trim()).filter(Boolean);
    if (parts.length === 0 || parts.length > BENCH_LIMITS.maxLevels) throw new CliError(`--concurrency takes 1 to ${BENCH_LIMITS.maxLevels} levels, e.g. 1,4,16`, 2);
    concurrency = parts.map((p) => whole("--concurrency", p, BENCH_LIMITS.maxConcurrency)!);
  }
  const body: BenchmarkRequest = { model };
  if (concurrency) body.concurrency = concurrency;
  const requests = whole("--requests", values.requests, BENCH_LIMITS.maxRequests);
  const promptTokens = whole("--prompt-tokens", values["prompt-tokens"], BENCH_LIMITS.maxPromptTokens);
  const maxTokens = whole("--max-tokens", values["max-tokens"], BENCH_LIMITS.maxMaxTokens);
  if (requests !== undefined) body.requests = requests;
  if (promptTokens !== undefined) body.promptTokens = promptTokens;
  if (maxTokens !== undefined) body.maxTokens = maxTokens;
  return { body, json: values.json ?? false };
}
