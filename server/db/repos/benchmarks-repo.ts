/** Benchmark results: one row per benchmark, levels as JSON. Awaitable drizzle queries only. */
import { and, desc, eq, notInArray, type SQL } from "drizzle-orm";
import type { BenchmarkContext, BenchmarkParams, BenchmarkState, BenchmarkView, BenchRun } from "../../../protocol/benchmarks";
import type { DbHandle } from "../client";
import type { benchmarks as benchmarksTable } from "../schema";

export type StoredBenchmark = Omit<BenchmarkView, "progress">;

/** A running benchmark and the server running it. */
export interface RunningBenchmark {
  id: string;
  model: string;
  serverId: string;
}

export interface BenchmarksRepo {
  /** `serverId`: the server that runs it (with several servers, the one holding its live state). */
  insert(b: StoredBenchmark, serverId: string): Promise<void>;
  /** The levels so far, and the end once there is one. */
  update(id: string, patch: { state?: BenchmarkState; runs?: BenchRun[]; error?: string | null; finishedAt?: number | null }): Promise<void>;
  get(id: string): Promise<StoredBenchmark | null>;
  /** Newest first. */
  list(limit: number): Promise<StoredBenchmark[]>;
  remove(id: string): Promise<boolean>;
  /** Every row still `running`, on whichever server (a few: running ones are bounded per server). */
  running(): Promise<RunningBenchmark[]>;
  /**
   * Rows left `running` by a server that stopped: they will not finish. Rows of the servers in
   * `keep.servers` (alive) and the ids in `keep.ids` (running here) are left alone.
   */
  failRunning(error: string, at: number, keep?: { servers?: readonly string[]; ids?: readonly string[] }): Promise<number>;
}

const parse = <T>(text: string, fallback: T): T => {
  try {
    return JSON.parse(text) as T;
  } catch {
    return fallback;
  }
};

function toStored(r: typeof benchmarksTable.$inferSelect): StoredBenchmark {
  return {
    id: r.id, model: r.model, state: r.state as BenchmarkState,
    params: parse<BenchmarkParams>(r.params, { concurrency: [], requests: 0, promptTokens: 0, maxTokens: 0, ignoreEos: false }),
    context: parse<BenchmarkContext>(r.context, {} as BenchmarkContext), runs: parse<BenchRun[]>(r.runs, []),
    error: r.error, createdAt: r.createdAt, finishedAt: r.finishedAt,
  };
}

export function benchmarksRepo({ db, schema: { benchmarks } }: DbHandle): BenchmarksRepo {
  return {
    async insert(b, serverId) {
      await db.insert(benchmarks).values({
        id: b.id, model: b.model, state: b.state, params: JSON.stringify(b.params), context: JSON.stringify(b.context),
        runs: JSON.stringify(b.runs), error: b.error, createdAt: b.createdAt, finishedAt: b.finishedAt, serverId,
      });
    },
    async update(id, patch) {
      const set: Partial<typeof benchmarksTable.$inferInsert> = {};
      if (patch.state !== undefined) set.state = patch.state;
      if (patch.runs !== undefined) set.runs = JSON.stringify(patch.runs);
      if (patch.error !== undefined) set.error = patch.error;
      if (patch.finishedAt !== undefined) set.finishedAt = patch.finishedAt;
      await db.update(benchmarks).set(set).where(eq(benchmarks.id, id));
    },
    async get(id) {
      const row = (await db.select().from(benchmarks).where(eq(benchmarks.id, id)).limit(1))[0];
      return row ? toStored(row) : null;
    },
    async list(limit) {
      return (await db.select().from(benchmarks).orderBy(desc(benchmarks.createdAt), desc(benchmarks.id)).limit(limit)).map(toStored);
    },
    async remove(id) {
      const gone = await db.delete(benchmarks).where(eq(benchmarks.id, id)).returning({ id: benchmarks.id });
      return gone.length > 0;
    },
    async running() {
      return db.select({ id: benchmarks.id, model: benchmarks.model, serverId: benchmarks.serverId }).from(benchmarks).where(eq(benchmarks.state, "running"));
    },
    async failRunning(error, at, keep = {}) {
      const where: SQL[] = [eq(benchmarks.state, "running")];
      if (keep.servers?.length) where.push(notInArray(benchmarks.serverId, [...keep.servers]));
      if (keep.ids?.length) where.push(notInArray(benchmarks.id, [...keep.ids]));
      const rows = await db.update(benchmarks).set({ state: "failed", error, finishedAt: at }).where(and(...where)).returning({ id: benchmarks.id });
      return rows.length;
    },
  };
}
