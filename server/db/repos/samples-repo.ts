import { and, asc, eq, gte, inArray, lt, sql } from "drizzle-orm";
import { affectedRows, type DbHandle } from "../client";
import type { gpuSamples, hostSamples } from "../schema";

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

// SQLite allows 32766 bound parameters per statement (PostgreSQL 65535). A chunk this size also
// keeps one statement to a few ms, so that a large flush (a backlog) lets other work in between.
const CHUNK = 250;
const yieldToLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * One row per key, the last one: a batch can hold the same second twice (a replayed backlog beside
 * live samples), and PostgreSQL refuses an upsert that touches a row twice where SQLite kept the last.
 */
function chunks<T>(all: T[], key: (row: T) => string): T[][] {
  const rows = [...new Map(all.map((r) => [key(r), r])).values()];
  const out: T[][] = [];
  for (let i = 0; i < rows.length; i += CHUNK) out.push(rows.slice(i, i + CHUNK));
  return out;
}

export function samplesRepo({ db, schema: { gpuSamples, hostSamples } }: DbHandle): SamplesRepo {
  return {
    async insertGpu(rows) {
      for (const [i, part] of chunks(rows, (r) => `${r.nodeId}\n${r.gpuUuid}\n${r.resolutionS}\n${r.ts}`).entries()) {
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
      for (const [i, part] of chunks(rows, (r) => `${r.nodeId}\n${r.resolutionS}\n${r.ts}`).entries()) {
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
        .orderBy(asc(hostSamples.ts));
    },
    async prune(resolutionS, beforeTs) {
      const a = await db.delete(gpuSamples).where(and(eq(gpuSamples.resolutionS, resolutionS), lt(gpuSamples.ts, beforeTs)));
      const b = await db.delete(hostSamples).where(and(eq(hostSamples.resolutionS, resolutionS), lt(hostSamples.ts, beforeTs)));
      return affectedRows(a) + affectedRows(b);
    },
  };
}
