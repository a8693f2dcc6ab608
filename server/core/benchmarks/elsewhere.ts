/**
 * Benchmarks that another server runs (several servers on one database). Their live state is in
 * that server's memory; this one sees them through their row: the levels as they are stored and
 * the end. Cancels travel to the running server (BenchmarkPeers, carried by the cluster's bus).
 */
import type { BenchmarkEvent, BenchmarkView } from "../../../protocol/benchmarks";
import type { Logger } from "../../../lib/logger";
import type { StoredBenchmark } from "../../db/repos/benchmarks-repo";

/** The other servers, as the benchmarks need them. Absent on a server alone. */
export interface BenchmarkPeers {
  /** This server's id, recorded on the benchmarks it runs. */
  readonly serverId: string;
  /** Ids of the servers alive now (this one included). */
  liveServers(): Promise<string[]>;
  /** Whether this server runs the jobs that run once (the sweep of benchmarks of dead servers). */
  isLeader(): boolean;
  /** Asks `serverId` to cancel benchmark `id` (it records the end). */
  requestCancel(id: string, serverId: string): Promise<void>;
  /** Hears the cancels other servers ask of this one. */
  onCancelRequest(listener: (id: string) => void): () => void;
}

const view = (row: StoredBenchmark): BenchmarkView => ({ ...row, progress: null });

/**
 * Follows a benchmark run elsewhere by reading its row every `everyMs`: the levels stored so far
 * and each new one ("run"), then "end". No "progress": within a level it lives on the other server.
 */
export function followStored(
  get: (id: string) => Promise<StoredBenchmark | null>, first: StoredBenchmark, listener: (e: BenchmarkEvent) => void, everyMs: number, log: Logger,
): () => void {
  let seen = 0;
  let last = first;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const tick = async () => {
    try {
      const row = await get(first.id);
      if (stopped) return;
      if (row) last = row;
      for (const run of last.runs.slice(seen)) listener({ event: "run", data: run });
      seen = Math.max(seen, last.runs.length);
      if (!row || row.state !== "running") {
        stopped = true; // a row removed meanwhile ends as it was last read
        listener({ event: "end", data: view(last) });
        return;
      }
    } catch (err) {
      log.warn({ id: first.id, err: (err as Error).message }, "could not read a benchmark another server runs");
    }
    if (!stopped) timer = setTimeout(() => void tick(), everyMs);
  };
  void tick();
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}

/** Reads the row until it is no longer running, for at most `waitMs` (a cancel asked of another server). */
export async function untilStored(get: (id: string) => Promise<StoredBenchmark | null>, id: string, everyMs: number, waitMs: number): Promise<BenchmarkView | null> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    const row = await get(id);
    if (!row || row.state !== "running" || Date.now() >= deadline) return row ? view(row) : null;
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
