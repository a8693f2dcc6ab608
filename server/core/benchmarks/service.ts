/**
 * The benchmark verbs (start, get, list, cancel, remove, follow). A benchmark runs in this server
 * against its own gateway, level after level; its progress goes to followers as events and each
 * finished level to the database, so a result is kept in one place with what makes it comparable.
 * Bounded: BENCH_LIMITS per benchmark, one at a time per model, BENCH_LIMITS.maxRunning in all.
 * With several servers (peers), a benchmark runs on the server that started it; the others read
 * its row, follow it through the row and pass a cancel on (elsewhere.ts); the limits count the
 * running rows of every server.
 */
import { randomUUID } from "node:crypto";
import { BENCH_LIMITS, type BenchmarkEvent, type BenchmarkProgress, type BenchmarkView, type BenchRun } from "../../../protocol/benchmarks";
import { createLogger } from "../../../lib/logger";
import type { BenchmarksRepo, StoredBenchmark } from "../../db/repos/benchmarks-repo";
import { ServiceError } from "../errors";
import { benchmarkContext, type ContextDeps } from "./context";
import { followStored, untilStored, type BenchmarkPeers } from "./elsewhere";
import { runLevel } from "./load";
import { benchmarkPrompt, planWords } from "./prompt";
import { planBenchmark, type BenchmarkPlan } from "./request";
import { summarizeLevel, type RequestSample } from "./stats";
import type { ChatBody } from "./stream-request";

const log = createLogger("benchmarks");
/** Followers hear of progress at most this often (and of every finished level at once). */
const PROGRESS_EVERY_MS = 250;
/** The first request (not measured) loads the model and counts the prompt's tokens. */
const PROBE_MAX_TOKENS = 8;
/** How often a benchmark run by another server is read while followed or being cancelled. */
const ELSEWHERE_POLL_MS = 1000;
/** How long a cancel passed to another server waits for it to record the end. */
const CANCEL_WAIT_MS = 10_000;
/** How often the leader looks for benchmarks whose server died. */
const SWEEP_EVERY_MS = 60_000;

export type BenchmarkListener = (event: BenchmarkEvent) => void;

export interface BenchmarksDeps {
  repo: BenchmarksRepo;
  context: ContextDeps & { models(): string[] };
  /** One streamed request through the gateway (stream-request.ts bound to this server's URL and key). */
  send(body: ChatBody, signal: AbortSignal): Promise<RequestSample>;
  /** Wall clock for records; a monotonic clock for timing. */
  now?: () => number;
  clock?: () => number;
  newId?: () => string;
  /** Several servers: who else is there. Absent: this server is alone. */
  peers?: BenchmarkPeers;
  pollMs?: number;
}

export interface Benchmarks {
  start(body: unknown): Promise<BenchmarkView>;
  get(id: string): Promise<BenchmarkView>;
  list(limit: number): Promise<BenchmarkView[]>;
  cancel(id: string): Promise<BenchmarkView>;
  remove(id: string): Promise<void>;
  /**
   * Events of a running benchmark; null when it is not running (read it with get). One that
   * another server runs is followed through its row: its levels so far, each new one, the end.
   */
  follow(id: string, listener: BenchmarkListener): Promise<(() => void) | null>;
  /** Resolves when the benchmark is no longer running (tests, shutdown). */
  settled(id: string): Promise<void>;
  /** Cancels every running benchmark and waits for them to record it. */
  close(): Promise<void>;
}

interface Running {
  view: BenchmarkView;
  abort: AbortController;
  listeners: Set<BenchmarkListener>;
  done: Promise<void>;
  cancelReason: string | null;
}

export async function createBenchmarks(deps: BenchmarksDeps): Promise<Benchmarks> {
  const now = deps.now ?? Date.now;
  const clock = deps.clock ?? (() => performance.now());
  const newId = deps.newId ?? (() => randomUUID());
  const { peers } = deps;
  const serverId = peers?.serverId ?? "local";
  const pollMs = deps.pollMs ?? ELSEWHERE_POLL_MS;
  const running = new Map<string, Running>();
  /** Running rows of servers that are gone will not finish: failed (a server alone: all but its own). */
  const sweep = async (error: string) => {
    const failed = await deps.repo.failRunning(error, now(), { servers: peers ? await peers.liveServers() : [], ids: [...running.keys()] });
    if (failed > 0) log.warn({ failed }, "benchmarks whose server stopped marked failed");
  };
  await sweep("the server stopped while this benchmark ran");
  const sweeper = peers && setInterval(() => {
    if (peers.isLeader()) void sweep("the server running this benchmark stopped").catch((err: Error) => log.warn({ err: err.message }, "could not look for benchmarks of stopped servers"));
  }, SWEEP_EVERY_MS);
  sweeper?.unref();

  const emit = (r: Running, event: BenchmarkEvent) => {
    for (const l of r.listeners) {
      try {
        l(event);
      } catch (err) {
        log.error({ err }, "benchmark listener failed");
      }
    }
  };

  const stored = async (id: string): Promise<StoredBenchmark> => {
    const row = await deps.repo.get(id);
    if (!row) throw new ServiceError("not_found", `no benchmark with id ${id}`);
    return row;
  };

  async function execute(r: Running, plan: BenchmarkPlan): Promise<void> {
    const { view } = r;
    const signal = r.abort.signal;
    const body = (words: number, index: number, maxTokens: number): ChatBody => ({
      model: plan.model, prompt: benchmarkPrompt(words, index, view.id.slice(0, 8)), maxTokens, ignoreEos: view.params.ignoreEos,
    });
    try {
      const probe = await deps.send(body(plan.promptTokens, -1, PROBE_MAX_TOKENS), signal);
      if (signal.aborted) return;
      if (!probe.ok) throw new ServiceError("unavailable", `${plan.model} did not answer a first request: ${probe.error}`);
      const words = planWords(plan.promptTokens, plan.promptTokens, probe.promptTokens);
      for (let level = 0; level < plan.concurrency.length; level++) {
        const concurrency = plan.concurrency[level]!;
        const total = plan.requests[level]!;
        const progress: BenchmarkProgress = { level, concurrency, done: 0, failed: 0, total };
        view.progress = progress;
        emit(r, { event: "progress", data: { ...progress } });
        let lastEmit = clock();
        const result = await runLevel({
          concurrency, requests: total, signal, now: clock,
          send: (i, s) => deps.send(body(words, level * BENCH_LIMITS.maxRequests + i, plan.maxTokens), s),
          onProgress(done, failed) {
            progress.done = done;
            progress.failed = failed;
            const t = clock();
            if (done < total && t - lastEmit < PROGRESS_EVERY_MS) return;
            lastEmit = t;
            emit(r, { event: "progress", data: { ...progress } });
          },
        });
        if (signal.aborted) return;
        const run: BenchRun = summarizeLevel(concurrency, result.samples, result.wallMs);
        view.runs = [...view.runs, run];
        await deps.repo.update(view.id, { runs: view.runs });
        emit(r, { event: "run", data: run });
      }
      view.state = "done";
    } catch (err) {
      if (signal.aborted) return;
      view.state = "failed";
      view.error = err instanceof ServiceError ? err.message : "the benchmark stopped on an internal error (see the server log)";
      if (!(err instanceof ServiceError)) log.error({ err, id: view.id }, "benchmark failed");
    }
  }

  async function finish(r: Running): Promise<void> {
    const { view } = r;
    if (r.abort.signal.aborted) {
      view.state = "cancelled";
      view.error = r.cancelReason;
    }
    view.progress = null;
    view.finishedAt = now();
    try {
      await deps.repo.update(view.id, { state: view.state, runs: view.runs, error: view.error, finishedAt: view.finishedAt });
    } catch (err) {
      log.error({ err, id: view.id }, "could not record the end of a benchmark");
    }
    running.delete(view.id);
    emit(r, { event: "end", data: { ...view } });
    r.listeners.clear();
  }

  const cancelHere = async (r: Running, reason: string) => {
    r.cancelReason = reason;
    r.abort.abort();
    await r.done;
  };
  const offCancels = peers?.onCancelRequest((id) => {
    const r = running.get(id);
    if (r) void cancelHere(r, "cancelled");
  });
  /** The server running `id` when it is another one, else null. */
  const elsewhere = async (id: string) => (running.has(id) ? null : ((await deps.repo.running()).find((b) => b.id === id) ?? null));

  return {
    async start(body) {
      const plan = planBenchmark(body);
      const found = benchmarkContext(plan.model, deps.context);
      if (!found) {
        const known = deps.context.models();
        throw new ServiceError("not_found", `model ${plan.model} is not routed by this gateway (known: ${known.length ? known.join(", ") : "none: add a route or deploy a model"})`);
      }
      const same = [...running.values()].find((x) => x.view.model === plan.model);
      if (same) throw new ServiceError("conflict", `a benchmark of ${plan.model} is running (${same.view.id}): wait for it or cancel it`);
      if (running.size >= BENCH_LIMITS.maxRunning) {
        throw new ServiceError("conflict", `${running.size} benchmarks are running (the most at once): wait for one to finish or cancel it`);
      }
      const view: BenchmarkView = {
        id: newId(), model: plan.model, state: "running",
        params: { concurrency: plan.concurrency, requests: plan.requests[0]!, promptTokens: plan.promptTokens, maxTokens: plan.maxTokens, ignoreEos: found.ignoreEos },
        context: found.context, runs: [], error: null, createdAt: now(), finishedAt: null,
        progress: { level: 0, concurrency: plan.concurrency[0]!, done: 0, failed: 0, total: plan.requests[0]! },
      };
      const r: Running = { view, abort: new AbortController(), listeners: new Set(), done: Promise.resolve(), cancelReason: null };
      running.set(view.id, r); // before the write: a second start of the same model meanwhile is refused
      try {
        const others = (await deps.repo.running()).filter((b) => !running.has(b.id));
        const other = others.find((b) => b.model === plan.model);
        if (other) throw new ServiceError("conflict", `a benchmark of ${plan.model} is running on another server (${other.id}): wait for it or cancel it`);
        if (running.size + others.length > BENCH_LIMITS.maxRunning) {
          throw new ServiceError("conflict", `${running.size - 1 + others.length} benchmarks are running on the servers (the most at once): wait for one to finish or cancel it`);
        }
        await deps.repo.insert({ ...view }, serverId);
      } catch (err) {
        running.delete(view.id);
        throw err;
      }
      r.done = execute(r, plan).then(() => finish(r));
      log.info({ id: view.id, model: view.model, concurrency: plan.concurrency, requests: plan.requests }, "benchmark started");
      return { ...view };
    },

    async get(id) {
      const r = running.get(id);
      return r ? { ...r.view } : { ...(await stored(id)), progress: null };
    },

    async list(limit) {
      return (await deps.repo.list(limit)).map((b) => {
        const r = running.get(b.id);
        return r ? { ...r.view } : { ...b, progress: null };
      });
    },

    async cancel(id) {
      const r = running.get(id);
      if (r) {
        await cancelHere(r, "cancelled");
        return { ...r.view };
      }
      const other = await elsewhere(id);
      if (other && peers) {
        await peers.requestCancel(id, other.serverId).catch(() => {
          throw new ServiceError("unavailable", `could not reach the server running benchmark ${id} (the database is unreachable): try again`);
        });
        // A server that died meanwhile never answers: the sweep records its end instead.
        if (!(await peers.liveServers()).includes(other.serverId)) await sweep("the server running this benchmark stopped");
        const after = await untilStored(deps.repo.get, id, pollMs, CANCEL_WAIT_MS);
        if (after) return after;
      }
      return { ...(await stored(id)), progress: null }; // already over: nothing to cancel
    },

    async remove(id) {
      if (running.has(id) || (await elsewhere(id))) throw new ServiceError("conflict", `benchmark ${id} is running: cancel it first`);
      if (!(await deps.repo.remove(id))) throw new ServiceError("not_found", `no benchmark with id ${id}`);
    },

    async follow(id, listener) {
      const r = running.get(id);
      if (r) {
        r.listeners.add(listener);
        return () => r.listeners.delete(listener);
      }
      const row = await deps.repo.get(id);
      // Read after the row: one that ended here meanwhile is not mistaken for one run elsewhere.
      if (!row || row.state !== "running" || running.has(id)) return null;
      return followStored(deps.repo.get, row, listener, pollMs, log);
    },

    async settled(id) {
      await running.get(id)?.done;
    },

    async close() {
      if (sweeper) clearInterval(sweeper);
      offCancels?.();
      await Promise.all([...running.values()].map((r) => cancelHere(r, "the server stopped")));
    },
  };
}
