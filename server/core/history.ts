/**
 * Telemetry history: 1 s rows for the last hour and 1 min rows for 30 days, written in batches so
 * ingest stays cheap, pruned by retention. Queries pick the resolution from the asked range, and
 * ranges with more rows than a chart can draw come back downsampled (./downsample.ts).
 *
 * Rows that could not be written (the database restarting) are kept and written with the next
 * batch, up to a bound. Samples an agent sends again after a reconnect (it resends the last few
 * seconds, which a server that died had not written) are stored once: on the server that already
 * has them they are skipped, on another they fill what the dead one lost.
 */
import type { TelemetrySample } from "../../protocol/agent-wire";
import type { GpuPoint, HistoryRange, HostPoint, NodeHistory, NodeView } from "../../protocol/live";
import { GPU_FIELDS, HOST_FIELDS, type GpuField, type GpuSampleRow, type HostSampleRow, type SamplesRepo } from "../db/repos/samples-repo";
import { createLogger } from "../../lib/logger";
import { bucketMsFor, pointsFromBuckets, type Bucket } from "./downsample";
import { MinuteRollup } from "./rollup";

const log = createLogger("history");

export const RETENTION_MS = { 1: 3600_000, 60: 30 * 24 * 3600_000 } as const;

export const RANGE_MS: Record<HistoryRange, number> = {
  "5m": 5 * 60_000, "15m": 15 * 60_000, "1h": 3600_000, "6h": 6 * 3600_000,
  "24h": 24 * 3600_000, "7d": 7 * 24 * 3600_000, "30d": 30 * 24 * 3600_000,
};

export function resolutionFor(range: HistoryRange): 1 | 60 {
  return RANGE_MS[range] <= RETENTION_MS[1] ? 1 : 60;
}

export interface History {
  record(nodeId: string, samples: TelemetrySample[]): void;
  query(node: NodeView, range: HistoryRange, now?: number): Promise<NodeHistory>;
  flush(): Promise<void>;
  prune(now?: number): Promise<number>;
  /** Drops what is held in memory for a node being removed (call after flush, before deleting rows). */
  forget(nodeId: string): void;
  /** Flushes and closes the open minutes; call once at shutdown. */
  close(): Promise<void>;
}

const GPU_PEAKS = new Set(["memUsedMiB"]);
/** Seconds remembered per node to recognise a resent sample (an agent resends its last 10 s). */
const REMEMBERED_SECONDS = 240;
/** Rows kept while they cannot be written: about four minutes of 100 nodes with 8 GPUs each. */
export const MAX_UNWRITTEN_ROWS = 200_000;

export function createHistory(repo: SamplesRepo): History {
  let gpuRows: GpuSampleRow[] = [];
  let hostRows: HostSampleRow[] = [];
  // One rollup per node, keyed by GPU UUID: a UUID names a GPU only within its node.
  const gpuRollups = new Map<string, MinuteRollup>();
  const gpuRollupOf = (nodeId: string) => {
    let r = gpuRollups.get(nodeId);
    if (!r) gpuRollups.set(nodeId, (r = new MinuteRollup(GPU_PEAKS)));
    return r;
  };
  const hostRollup = new MinuteRollup(new Set(["memUsedBytes"]));
  /** Seconds recorded lately per node: a sample the agent sends again is recorded once. */
  const recorded = new Map<string, Set<number>>();
  let droppedRows = 0;
  let failing = false;

  const pushGpuMinute = (nodeId: string, gpuUuid: string, ts: number, v: Record<string, number | null>) =>
    gpuRows.push({ nodeId, gpuUuid, resolutionS: 60, ts, utilGpuPct: v.utilGpuPct ?? null, memUsedMiB: v.memUsedMiB ?? null, tempC: v.tempC ?? null, powerW: v.powerW ?? null });
  const pushHostMinute = (key: string, ts: number, v: Record<string, number | null>) =>
    hostRows.push({ nodeId: key, resolutionS: 60, ts, cpuPct: v.cpuPct ?? null, memUsedBytes: v.memUsedBytes ?? null });

  const flush = async () => {
    if (gpuRows.length === 0 && hostRows.length === 0) return;
    const g = gpuRows;
    const h = hostRows;
    gpuRows = [];
    hostRows = [];
    try {
      await repo.insertGpu(g);
      await repo.insertHost(h);
      if (droppedRows > 0) log.warn({ rows: droppedRows }, "history rows were dropped while the database could not be written");
      if (failing) log.info("telemetry history is written again");
      droppedRows = 0;
      failing = false;
    } catch (err) {
      // Kept for the next flush (rows written twice are the same rows), oldest dropped past the bound.
      gpuRows = g.concat(gpuRows);
      hostRows = h.concat(hostRows);
      const over = gpuRows.length + hostRows.length - MAX_UNWRITTEN_ROWS;
      if (over > 0) {
        const fromGpu = Math.min(over, gpuRows.length);
        gpuRows.splice(0, fromGpu);
        hostRows.splice(0, over - fromGpu);
        droppedRows += over;
      }
      if (!failing) log.warn({ err: (err as Error).message, kept: gpuRows.length + hostRows.length }, "writing telemetry history failed; rows kept for the next try");
      failing = true;
    }
  };

  return {
    record(nodeId, samples) {
      const gpuRollup = gpuRollupOf(nodeId);
      let seen = recorded.get(nodeId);
      if (!seen) recorded.set(nodeId, (seen = new Set()));
      for (const { ts: rawTs, snapshot } of samples) {
        const ts = Math.floor(rawTs / 1000) * 1000;
        if (seen.has(ts)) continue;
        seen.add(ts);
        for (const gpu of snapshot.gpus) {
          const values = { utilGpuPct: gpu.utilGpuPct, memUsedMiB: gpu.memUsedMiB, tempC: gpu.tempC, powerW: gpu.powerW };
          gpuRows.push({ nodeId, gpuUuid: gpu.uuid, resolutionS: 1, ts, ...values });
          const done = gpuRollup.add(gpu.uuid, ts, values);
          if (done) pushGpuMinute(nodeId, done.key, done.ts, done.values);
        }
        const hostValues = { cpuPct: snapshot.host.cpuPct, memUsedBytes: snapshot.host.memUsedBytes };
        hostRows.push({ nodeId, resolutionS: 1, ts, ...hostValues });
        const done = hostRollup.add(nodeId, ts, hostValues);
        if (done) pushHostMinute(done.key, done.ts, done.values);
      }
      if (seen.size > REMEMBERED_SECONDS) {
        const keep = [...seen].sort((a, b) => a - b).slice(-REMEMBERED_SECONDS / 2);
        recorded.set(nodeId, new Set(keep));
      }
    },

    async query(node, range, now = Date.now()) {
      await flush();
      const resolutionS = resolutionFor(range);
      const from = now - RANGE_MS[range];
      const uuids = node.gpus.map((g) => g.uuid);
      const bucketMs = bucketMsFor(RANGE_MS[range], resolutionS * 1000);
      const byUuid = new Map<string, GpuPoint[]>();
      let host: HostPoint[];
      if (bucketMs === null) {
        for (const r of await repo.gpuSeries(node.id, uuids, resolutionS, from)) {
          const list = byUuid.get(r.gpuUuid) ?? [];
          list.push({ ts: r.ts, utilGpuPct: r.utilGpuPct ?? null, memUsedMiB: r.memUsedMiB ?? null, tempC: r.tempC ?? null, powerW: r.powerW ?? null });
          byUuid.set(r.gpuUuid, list);
        }
        host = (await repo.hostSeries(node.id, resolutionS, from)).map((r) => ({
          ts: r.ts, cpuPct: r.cpuPct ?? null, memUsedBytes: r.memUsedBytes ?? null,
        }));
      } else {
        // Longer than a chart can show: the database folds the rows into min/max buckets.
        const buckets = new Map<string, Bucket<GpuField>[]>();
        for (const b of await repo.gpuBuckets(node.id, uuids, resolutionS, from, bucketMs)) {
          const list = buckets.get(b.gpuUuid) ?? [];
          list.push(b);
          buckets.set(b.gpuUuid, list);
        }
        for (const [uuid, list] of buckets) byUuid.set(uuid, pointsFromBuckets(list, GPU_FIELDS));
        host = pointsFromBuckets(await repo.hostBuckets(node.id, resolutionS, from, bucketMs), HOST_FIELDS);
      }
      return {
        node: node.name, range, resolutionS, bucketS: bucketMs === null ? resolutionS : bucketMs / 1000,
        gpus: node.gpus.map((g) => ({ uuid: g.uuid, index: g.index, name: g.name, points: byUuid.get(g.uuid) ?? [] })),
        host,
      };
    },

    flush,

    async prune(now = Date.now()) {
      await flush();
      return (await repo.prune(1, now - RETENTION_MS[1])) + (await repo.prune(60, now - RETENTION_MS[60]));
    },

    forget(nodeId) {
      gpuRollups.delete(nodeId);
      recorded.delete(nodeId);
      hostRollup.forget([nodeId]);
    },

    async close() {
      for (const [nodeId, rollup] of gpuRollups) for (const r of rollup.drain()) pushGpuMinute(nodeId, r.key, r.ts, r.values);
      for (const r of hostRollup.drain()) pushHostMinute(r.key, r.ts, r.values);
      await flush();
    },
  };
}
