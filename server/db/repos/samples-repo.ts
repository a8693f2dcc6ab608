import { and, asc, eq, gte, inArray, lt, max, min, sql, type SQL } from "drizzle-orm";
import type { SQLiteColumn } from "drizzle-orm/sqlite-core";
import type { Bucket } from "../../core/downsample";
import { affectedRows, type DbHandle } from "../client";
import type { gpuSamples, hostSamples } from "../schema";

export type GpuSampleRow = typeof gpuSamples.$inferInsert;
export type HostSampleRow = typeof hostSamples.$inferInsert;

export const GPU_FIELDS = ["utilGpuPct", "memUsedMiB", "tempC", "powerW"] as const;
export const HOST_FIELDS = ["cpuPct", "memUsedBytes"] as const;
export type GpuField = (typeof GPU_FIELDS)[number];
export type HostField = (typeof HOST_FIELDS)[number];

export interface SamplesRepo {
  insertGpu(rows: GpuSampleRow[]): Promise<void>;
  insertHost(rows: HostSampleRow[]): Promise<void>;
  /** One node's series of the given GPUs (a UUID names a GPU only within its node). */
  gpuSeries(nodeId: string, uuids: string[], resolutionS: number, fromTs: number): Promise<GpuSampleRow[]>;
  hostSeries(nodeId: string, resolutionS: number, fromTs: number): Promise<HostSampleRow[]>;
  /** The GPUs' rows folded into epoch-aligned buckets of `bucketMs` (min and max per field), in time order per GPU. */
  gpuBuckets(nodeId: string, uuids: string[], resolutionS: number, fromTs: number, bucketMs: number): Promise<Array<Bucket<GpuField> & { gpuUuid: string }>>;
  hostBuckets(nodeId: string, resolutionS: number, fromTs: number, bucketMs: number): Promise<Bucket<HostField>[]>;
  /** Deletes rows of one resolution older than `beforeTs`; returns how many. */
  prune(resolutionS: number, beforeTs: number): Promise<number>;
}

const sqlExcluded = (column: string) => sql.raw(`excluded.${column}`);

// SQLite allows 32766 bound parameters per statement (PostgreSQL 65535). A chunk this size also
// keeps one statement to a few ms, so that a large flush (a backlog) lets other work in between.
const CHUNK = 250;
const yieldToLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Selects min and max of each field and the bucket's first and last time; `bucketOf` is its group key (ts are positive). */
function bucketSelect<F extends string>(ts: SQLiteColumn, columns: Record<F, SQLiteColumn>, bucketMs: number) {
  // Inlined, not bound: an integer this module computed, and both dialects then divide integers.
  if (!Number.isSafeInteger(bucketMs) || bucketMs <= 0) throw new RangeError(`bucket width must be a positive integer of ms (got ${bucketMs})`);
  // The bucket's number (integer division in both dialects); half the cost of computing its start.
  const bucketOf = sql<number>`(${ts} / ${sql.raw(String(bucketMs))})`;
  const fields: Record<string, SQL<unknown>> = { firstTs: min(ts), lastTs: max(ts) };
  for (const [f, col] of Object.entries(columns) as Array<[F, SQLiteColumn]>) {
    fields[`min:${f}`] = min(col);
    fields[`max:${f}`] = max(col);
  }
  // Numbers whatever the driver hands back (PostgreSQL's bigint aggregates come as strings).
  const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));
  const toBucket = (row: Record<string, unknown>): Bucket<F> => {
    const out: Bucket<F> = { firstTs: Number(row.firstTs), lastTs: Number(row.lastTs), min: {} as Record<F, number | null>, max: {} as Record<F, number | null> };
    for (const f of Object.keys(columns) as F[]) {
      out.min[f] = num(row[`min:${f}`]);
      out.max[f] = num(row[`max:${f}`]);
    }
    return out;
  };
  return { bucketOf, fields, toBucket };
}

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
  const gpuColumns: Record<GpuField, SQLiteColumn> = { utilGpuPct: gpuSamples.utilGpuPct, memUsedMiB: gpuSamples.memUsedMiB, tempC: gpuSamples.tempC, powerW: gpuSamples.powerW };
  const hostColumns: Record<HostField, SQLiteColumn> = { cpuPct: hostSamples.cpuPct, memUsedBytes: hostSamples.memUsedBytes };
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
        // Ordered as the primary key, which then serves the query; ordered by time alone, SQLite
        // walks the age index through every GPU's rows of the range, fleet-wide.
        .orderBy(asc(gpuSamples.gpuUuid), asc(gpuSamples.ts));
    },
    async hostSeries(nodeId, resolutionS, fromTs) {
      return db.select().from(hostSamples)
        .where(and(eq(hostSamples.nodeId, nodeId), eq(hostSamples.resolutionS, resolutionS), gte(hostSamples.ts, fromTs)))
        .orderBy(asc(hostSamples.ts));
    },
    async gpuBuckets(nodeId, uuids, resolutionS, fromTs, bucketMs) {
      const { bucketOf, fields, toBucket } = bucketSelect(gpuSamples.ts, gpuColumns, bucketMs);
      const out: Array<Bucket<GpuField> & { gpuUuid: string }> = [];
      // One GPU per statement: grouping all of them at once sorts all their rows together (2× slower).
      for (const gpuUuid of uuids) {
        const rows = await db.select(fields).from(gpuSamples)
          .where(and(eq(gpuSamples.nodeId, nodeId), eq(gpuSamples.gpuUuid, gpuUuid), eq(gpuSamples.resolutionS, resolutionS), gte(gpuSamples.ts, fromTs)))
          .groupBy(bucketOf)
          .orderBy(asc(bucketOf));
        for (const r of rows) out.push({ gpuUuid, ...toBucket(r) });
      }
      return out;
    },
    async hostBuckets(nodeId, resolutionS, fromTs, bucketMs) {
      const { bucketOf, fields, toBucket } = bucketSelect(hostSamples.ts, hostColumns, bucketMs);
      const rows = await db.select(fields).from(hostSamples)
        .where(and(eq(hostSamples.nodeId, nodeId), eq(hostSamples.resolutionS, resolutionS), gte(hostSamples.ts, fromTs)))
        .groupBy(bucketOf)
        .orderBy(asc(bucketOf));
      return rows.map(toBucket);
    },
    async prune(resolutionS, beforeTs) {
      const a = await db.delete(gpuSamples).where(and(eq(gpuSamples.resolutionS, resolutionS), lt(gpuSamples.ts, beforeTs)));
      const b = await db.delete(hostSamples).where(and(eq(hostSamples.resolutionS, resolutionS), lt(hostSamples.ts, beforeTs)));
      return affectedRows(a) + affectedRows(b);
    },
  };
}
