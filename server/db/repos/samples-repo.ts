import { and, asc, eq, gte, inArray, lt, sql } from "drizzle-orm";
import type { Db } from "../client";
import { gpuSamples, hostSamples } from "../schema";

export type GpuSampleRow = typeof gpuSamples.$inferInsert;
export type HostSampleRow = typeof hostSamples.$inferInsert;

export interface SamplesRepo {
  insertGpu(rows: GpuSampleRow[]): Promise<void>;
  insertHost(rows: HostSampleRow[]): Promise<void>;
  /** One node's series of the given GPUs (a UUID names a GPU only within its node). */
  gpuSeries(nodeId: string, uuids: string[], resolutionS: number, fromTs: number): Promise<GpuSampleRow[]>;
  hostSeries(nodeId: string, resolutionS: number, fromTs: number): Promise<HostSampleRow[]>;
  /** Deletes rows of one resolution older than `beforeTs`; returns how many. */
  prune(resolutionS: number, beforeTs: number): Promise<number>;
}

const sqlExcluded = (column: string) => sql.raw(`excluded.${column}`);

// SQLite allows 32766 bound parameters per statement. A chunk this size keeps one statement to
// ~10-20 ms, so that a large flush (a backlog) lets other work in between (see below), while a
// steady flush (100 nodes × 8 GPUs, every 2 s) stays at one or two commits.
const CHUNK = 250;
const yieldToLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

function chunks<T>(rows: T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < rows.length; i += CHUNK) out.push(rows.slice(i, i + CHUNK));
  return out;
}

export function samplesRepo(db: Db): SamplesRepo {
  return {
    async insertGpu(rows) {
      for (const [i, part] of chunks(rows).entries()) {
        // A backlog flush can hold tens of thousands of rows: let sockets be served between statements.
        if (i > 0) await yieldToLoop();
        // A sample replayed from an agent's backlog may repeat a timestamp: keep the newest.
        await db.insert(gpuSamples).values(part).onConflictDoUpdate({
          target: [gpuSamples.nodeId, gpuSamples.gpuUuid, gpuSamples.resolutionS, gpuSamples.ts],
          set: { utilGpuPct: sqlExcluded("util_gpu_pct"), memUsedMiB: sqlExcluded("mem_used_mib"), tempC: sqlExcluded("temp_c"), powerW: sqlExcluded("power_w") },
        });
      }
    },
    async insertHost(rows) {
      for (const [i, part] of chunks(rows).entries()) {
        if (i > 0) await yieldToLoop();
        await db.insert(hostSamples).values(part).onConflictDoUpdate({
          target: [hostSamples.nodeId, hostSamples.resolutionS, hostSamples.ts],
          set: { cpuPct: sqlExcluded("cpu_pct"), memUsedBytes: sqlExcluded("mem_used_bytes") },
        });
      }
    },
    async gpuSeries(nodeId, uuids, resolutionS, fromTs) {
      if (uuids.length === 0) return [];
      return db.select().from(gpuSamples)
        .where(and(eq(gpuSamples.nodeId, nodeId), inArray(gpuSamples.gpuUuid, uuids), eq(gpuSamples.resolutionS, resolutionS), gte(gpuSamples.ts, fromTs)))
        .orderBy(asc(gpuSamples.ts));
    },
    async hostSeries(nodeId, resolutionS, fromTs) {
      return db.select().from(hostSamples)
        .where(and(eq(hostSamples.nodeId, nodeId), eq(hostSamples.resolutionS, resolutionS), gte(hostSamples.ts, fromTs)))
        .orderBy(asc(hostSamples.ts)).all();
    },
    async prune(resolutionS, beforeTs) {
      const a = db.delete(gpuSamples).where(and(eq(gpuSamples.resolutionS, resolutionS), lt(gpuSamples.ts, beforeTs))).run();
      const b = db.delete(hostSamples).where(and(eq(hostSamples.resolutionS, resolutionS), lt(hostSamples.ts, beforeTs))).run();
      return a.changes + b.changes;
    },
  };
}
