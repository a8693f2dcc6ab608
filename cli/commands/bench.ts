/**
 * `switchyard bench`: a thin client of POST /api/benchmarks. The server runs the benchmark against
 * its own gateway and keeps the result; this follows its events (progress on stderr) and prints
 * the result as a table, or as the contract's JSON with --json. Ctrl+C cancels it on the server.
 */
import { contractJson, type BenchmarkProgress, type BenchmarkView, type BenchRun } from "../../protocol/benchmarks";
import { readSse } from "../../lib/sse";
import { parseBenchArgs, BENCH_USAGE } from "../bench-args";
import { CliError, type ApiClient } from "../client";
import { orDash, table } from "../format";

export interface BenchIo {
  /** Progress lines (stderr). */
  progress(line: string): void;
  /** Resolves when the user asks to stop (Ctrl+C). */
  interrupted: Promise<void>;
}

export function renderBenchmark(view: BenchmarkView): string {
  const c = view.context;
  const where = c.engine
    ? `${c.engine} on ${c.node} (GPU ${c.gpus.length ? c.gpus.join(",") : "none"}${c.gpuNames.length ? `: ${[...new Set(c.gpuNames)].join(", ")}` : ""})${c.ctx ? `, ctx ${c.ctx}` : ""}`
    : c.target ? `${c.target} (${c.backendKind ?? "backend"})` : "";
  const head = `${view.model}${where ? ` · ${where}` : ""} · prompt ~${view.params.promptTokens} tokens, ${view.params.maxTokens} out · ${view.id}`;
  const rows = [["CONCURRENCY", "REQUESTS", "FAILED", "TTFT P50", "TTFT P99", "TOK/S PER REQ", "TOK/S TOTAL", "REQ/S"]];
  for (const r of view.runs) {
    rows.push([
      String(r.concurrency), String(r.requests), String(r.failed), orDash(r.ttftMs.p50, " ms"), orDash(r.ttftMs.p99, " ms"),
      orDash(r.outputTokensPerSec, "", 1), orDash(r.aggregateTokensPerSec, "", 1), orDash(r.requestsPerSec, "", 2),
    ]);
  }
  const errors = view.runs.flatMap((r) => r.errors.map((e) => `  concurrency ${r.concurrency}: ${e}`));
  const tail = [
    ...(errors.length ? ["errors:", ...errors] : []),
    ...(view.state !== "done" ? [`benchmark ${view.state}${view.error ? `: ${view.error}` : ""}`] : []),
  ];
  return [head, table(rows), ...tail].join("\n");
}

const progressLine = (p: BenchmarkProgress) => `concurrency ${p.concurrency}: ${p.done}/${p.total} requests${p.failed ? `, ${p.failed} failed` : ""}`;
const runLine = (r: BenchRun) => `concurrency ${r.concurrency}: done · ${orDash(r.outputTokensPerSec, " tok/s per request", 1)} · ${orDash(r.aggregateTokensPerSec, " tok/s total", 1)}`;

/** Follows the events until the end; falls back to the plain view when the stream drops. */
async function follow(client: ApiClient, id: string, io: BenchIo, signal: AbortSignal): Promise<BenchmarkView | null> {
  try {
    const res = await client.raw(`/api/benchmarks/${id}/events`, { accept: "text/event-stream", signal });
    if (!res.body) return null;
    for await (const ev of readSse(res.body)) {
      if (ev.event === "progress") io.progress(progressLine(JSON.parse(ev.data) as BenchmarkProgress));
      else if (ev.event === "run") io.progress(runLine(JSON.parse(ev.data) as BenchRun));
      else if (ev.event === "end") return JSON.parse(ev.data) as BenchmarkView;
    }
  } catch (err) {
    if (signal.aborted) return null;
    if (err instanceof CliError) throw err;
  }
  return null;
}

async function untilOver(client: ApiClient, id: string, io: BenchIo, signal: AbortSignal): Promise<BenchmarkView> {
  for (;;) {
    const ended = await follow(client, id, io, signal);
    if (ended) return ended;
    if (signal.aborted) throw new Error("interrupted");
    const view = await client.get<BenchmarkView>(`/api/benchmarks/${id}`);
    if (view.state !== "running") return view;
    await new Promise((r) => setTimeout(r, 1000));
  }
}

export async function benchCommand(client: ApiClient, argv: string[], io: BenchIo): Promise<{ output: string; exitCode: number }> {
  const args = parseBenchArgs(argv);
  if (args === "help") return { output: BENCH_USAGE, exitCode: 0 };
  const started = await client.send<BenchmarkView>("POST", "/api/benchmarks", args.body);
  io.progress(`benchmark ${started.id}: ${started.model}, concurrency ${started.params.concurrency.join(",")}, ${started.params.requests} requests per level`);
  const stop = new AbortController();
  let interrupted = false;
  void io.interrupted.then(() => {
    interrupted = true;
    stop.abort();
  });
  let view: BenchmarkView;
  try {
    view = await untilOver(client, started.id, io, stop.signal);
  } catch (err) {
    if (!interrupted) throw err;
    io.progress("cancelling…");
    view = await client.send<BenchmarkView>("POST", `/api/benchmarks/${started.id}/cancel`);
  }
  const output = args.json ? JSON.stringify(contractJson(view), null, 2) : renderBenchmark(view);
  const allFailed = view.runs.length > 0 && view.runs.every((r) => r.failed === r.requests);
  const exitCode = interrupted ? 130 : view.state === "done" && !allFailed ? 0 : 1;
  return { output, exitCode };
}
