import { and, asc, eq, gte, inArray, lt, max, min, sql, type SQL } from "drizzle-orm";
import type { SQLiteColumn } from "drizzle-orm/sqlite-core";
import type { Bucket } from "../../core/downsample";
import type { Db } from "../client";
import { gpuSamples, hostSamples } from "../schema";

export type GpuSampleRow = typeof gpuSamples.$inferInsert;
export type HostSampleRow = typeof hostSamples.$inferInsert;

export const GPU_FIELDS = ["utilGpuPct", "memUsedMiB", "tempC", "powerW"] as const;
export const HOST_FIELDS = ["cpuPct", "memUsedBytes"] as const;
export type GpuField = (typeof GPU_FIELDS)[number];
export type HostField = (typeof HOST_FIELDS)[number];

export interface SamplesRepo {
  insertGpu(rows: GpuSampleRow[]): Promise<void>;
  insertHost(rows: HostSampleRow[]): Promise<void>;
  gpuSeries(uuids: string[], resolutionS: number, fromTs: number): Promise<GpuSampleRow[]>;
  hostSeries(nodeId: string, resolutionS: number, fromTs: number): Promise<HostSampleRow[]>;
  /** The GPUs' rows folded into epoch-aligned buckets of `bucketMs` (min and max per field), in time order per GPU. */
  gpuBuckets(uuids: string[], resolutionS: number, fromTs: number, bucketMs: number): Promise<Array<Bucket<GpuField> & { gpuUuid: string }>>;
  hostBuckets(nodeId: string, resolutionS: number, fromTs: number, bucketMs: number): Promise<Bucket<HostField>[]>;
  /** Deletes rows of one resolution older than `beforeTs`; returns how many. */
  prune(resolutionS: number, beforeTs: number): Promise<number>;
}

const sqlExcluded = (column: string) => sql.raw(`excluded.${column}`);

// SQLite allows 32766 bound parameters per statement; 7 columns × 2000 rows stays well below.
const CHUNK = 2000;

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
  const toBucket = (row: Record<string, unknown>): Bucket<F> => {
    const out: Bucket<F> = { firstTs: Number(row.firstTs), lastTs: Number(row.lastTs), min: {} as Record<F, number | null>, max: {} as Record<F, number | null> };
    for (const f of Object.keys(columns) as F[]) {
      out.min[f] = row[`min:${f}`] === null ? null : Number(row[`min:${f}`]);
      out.max[f] = row[`max:${f}`] === null ? null : Number(row[`max:${f}`]);
    }
    return out;
  };
  return { bucketOf, fields, toBucket };
}

const gpuColumns = { utilGpuPct: gpuSamples.utilGpuPct, memUsedMiB: gpuSamples.memUsedMiB, tempC: gpuSamples.tempC, powerW: gpuSamples.powerW } satisfies Record<GpuField, SQLiteColumn>;
const hostColumns = { cpuPct: hostSamples.cpuPct, memUsedBytes: hostSamples.memUsedBytes } satisfies Record<HostField, SQLiteColumn>;

function chunks<T>(rows: T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < rows.length; i += CHUNK) out.push(rows.slice(i, i + CHUNK));
  return out;
}

export function samplesRepo(db: Db): SamplesRepo {
  return {
    async insertGpu(rows) {
      for (const part of chunks(rows)) {
        // A sample replayed from an agent's backlog may repeat a timestamp: keep the newest.
        db.insert(gpuSamples).values(part).onConflictDoUpdate({
          target: [gpuSamples.gpuUuid, gpuSamples.resolutionS, gpuSamples.ts],
          set: { utilGpuPct: sqlExcluded("util_gpu_pct"), memUsedMiB: sqlExcluded("mem_used_mib"), tempC: sqlExcluded("temp_c"), powerW: sqlExcluded("power_w") },
        }).run();
      }
    },
    async insertHost(rows) {
      for (const part of chunks(rows)) {
        db.insert(hostSamples).values(part).onConflictDoUpdate({
          target: [hostSamples.nodeId, hostSamples.resolutionS, hostSamples.ts],
          set: { cpuPct: sqlExcluded("cpu_pct"), memUsedBytes: sqlExcluded("mem_used_bytes") },
        }).run();
      }
    },
    async gpuSeries(uuids, resolutionS, fromTs) {
      if (uuids.length === 0) return [];
      // Ordered as the primary key, which then serves the query; ordered by time alone, SQLite
      // walks the age index through every GPU's rows of the range, fleet-wide.
      return db.select().from(gpuSamples)
        .where(and(inArray(gpuSamples.gpuUuid, uuids), eq(gpuSamples.resolutionS, resolutionS), gte(gpuSamples.ts, fromTs)))
        .orderBy(asc(gpuSamples.gpuUuid), asc(gpuSamples.ts));
    },
    async hostSeries(nodeId, resolutionS, fromTs) {
      return db.select().from(hostSamples)
        .where(and(eq(hostSamples.nodeId, nodeId), eq(hostSamples.resolutionS, resolutionS), gte(hostSamples.ts, fromTs)))
        .orderBy(asc(hostSamples.ts)).all();
    },
    async gpuBuckets(uuids, resolutionS, fromTs, bucketMs) {
      const { bucketOf, fields, toBucket } = bucketSelect(gpuSamples.ts, gpuColumns, bucketMs);
      const out: Array<Bucket<GpuField> & { gpuUuid: string }> = [];
      // One GPU per statement: grouping all of them at once sorts all their rows together (2× slower).
      for (const gpuUuid of uuids) {
        const rows = await db.select(fields).from(gpuSamples)
          .where(and(eq(gpuSamples.gpuUuid, gpuUuid), eq(gpuSamples.resolutionS, resolutionS), gte(gpuSamples.ts, fromTs)))
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
      const a = db.delete(gpuSamples).where(and(eq(gpuSamples.resolutionS, resolutionS), lt(gpuSamples.ts, beforeTs))).run();
      const b = db.delete(hostSamples).where(and(eq(hostSamples.resolutionS, resolutionS), lt(hostSamples.ts, beforeTs))).run();
      return a.changes + b.changes;
    },
  };
}
