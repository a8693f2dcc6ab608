/**
 * Long history ranges on a real (in-memory) SQLite with the real migrations: 30 days of minute rows
 * come back as at most 1500 points per series, with the spikes and dips that a plain average or
 * every-nth-row pick would lose.
 */
import { beforeAll, describe, expect, it } from "vitest";
import type { NodeView } from "../../../protocol/live";
import { MAX_POINTS_PER_SERIES } from "../../../server/core/downsample";
import { createHistory, type History } from "../../../server/core/history";
import { openMemoryDatabase } from "../../../server/db/client";
import { samplesRepo, type GpuSampleRow, type SamplesRepo } from "../../../server/db/repos/samples-repo";
import { gpu } from "../../helpers/samples";

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
const NOW = Date.UTC(2026, 11, 7, 12, 0, 0);
const node: NodeView = {
  id: "node-1", name: "box1", online: true, lastSeen: NOW, agentVersion: "t", facts: null, driver: null, host: null,
  gpus: [gpu(0, { uuid: "GPU-a" }), gpu(1, { uuid: "GPU-b" })], processes: [], warnings: [],
};

function minuteRows(uuid: string, fromTs: number, toTs: number, over: (ts: number) => Partial<GpuSampleRow> = () => ({})): GpuSampleRow[] {
  const rows: GpuSampleRow[] = [];
  for (let ts = fromTs; ts <= toTs; ts += MINUTE) rows.push({ nodeId: node.id, gpuUuid: uuid, resolutionS: 60, ts, utilGpuPct: 40, memUsedMiB: 8000, tempC: 55, powerW: 200, ...over(ts) });
  return rows;
}

describe("history of long ranges, downsampled", () => {
  let repo: SamplesRepo;
  let history: History;
  const spikeAt = NOW - 12 * DAY + 17 * MINUTE;
  const dipAt = NOW - 3 * DAY + 5 * MINUTE;

  // Read-only tests over one seeded database (the 1 s rows of the last test touch no other series).
  beforeAll(async () => {
    repo = samplesRepo(await openMemoryDatabase());
    history = createHistory(repo);
    const start = NOW - 30 * DAY + MINUTE;
    await repo.insertGpu(minuteRows("GPU-a", start, NOW - MINUTE, (ts) => (ts === spikeAt ? { utilGpuPct: 100, memUsedMiB: 24_000 } : ts === dipAt ? { utilGpuPct: 0, powerW: null } : {})));
    const host = [];
    for (let ts = start; ts < NOW; ts += MINUTE) host.push({ nodeId: node.id, resolutionS: 60, ts, cpuPct: ts === spikeAt ? 99 : 20, memUsedBytes: 1e9 });
    await repo.insertHost(host);
  });

  it("answers 30 days with at most 1500 points per series, in time order, within the range", async () => {
    const h = await history.query(node, "30d", NOW);
    expect(h.resolutionS).toBe(60);
    expect(h.bucketS).toBeGreaterThan(60);
    const points = h.gpus[0]!.points;
    expect(points.length).toBeGreaterThan(1000);
    expect(points.length).toBeLessThanOrEqual(MAX_POINTS_PER_SERIES);
    expect(h.host.length).toBeLessThanOrEqual(MAX_POINTS_PER_SERIES);
    const ts = points.map((p) => p.ts);
    expect([...ts].sort((a, b) => a - b)).toEqual(ts);
    expect(ts[0]).toBeGreaterThanOrEqual(NOW - 30 * DAY);
    expect(ts.at(-1)).toBeLessThan(NOW);
  });

  it("keeps a one-minute spike and a one-minute dip of 30 days", async () => {
    const h = await history.query(node, "30d", NOW);
    const util = h.gpus[0]!.points.map((p) => p.utilGpuPct);
    expect(Math.max(...(util as number[]))).toBe(100);
    expect(Math.min(...(util as number[]))).toBe(0);
    expect(Math.max(...h.gpus[0]!.points.map((p) => p.memUsedMiB ?? 0))).toBe(24_000);
    expect(Math.max(...h.host.map((p) => p.cpuPct ?? 0))).toBe(99);
    // The dip's missing power reading does not blank its bucket: the other minutes had one.
    expect(h.gpus[0]!.points.every((p) => p.powerW === 200)).toBe(true);
  });

  it("gives a GPU without rows an empty series, and 7 days the same bound", async () => {
    const h = await history.query(node, "7d", NOW);
    expect(h.gpus[1]!.points).toEqual([]);
    expect(h.gpus[0]!.points.length).toBeLessThanOrEqual(MAX_POINTS_PER_SERIES);
    expect(Math.min(...h.gpus[0]!.points.map((p) => p.utilGpuPct as number))).toBe(0);
  });

  it("serves a range a chart can draw row by row, unchanged", async () => {
    const h = await history.query(node, "24h", NOW);
    expect(h.bucketS).toBe(h.resolutionS);
    expect(h.gpus[0]!.points).toHaveLength(24 * 60);
    expect(h.gpus[0]!.points[0]).toEqual({ ts: NOW - DAY, utilGpuPct: 40, memUsedMiB: 8000, tempC: 55, powerW: 200 });
  });

  it("bounds the last hour of 1 s rows too", async () => {
    const rows: GpuSampleRow[] = [];
    for (let ts = NOW - 3600_000 + 1000; ts < NOW; ts += 1000) rows.push({ nodeId: node.id, gpuUuid: "GPU-b", resolutionS: 1, ts, utilGpuPct: ts === NOW - 600_000 ? 100 : 5, memUsedMiB: 1, tempC: 1, powerW: 1 });
    await repo.insertGpu(rows);
    const h = await history.query(node, "1h", NOW);
    expect(h.resolutionS).toBe(1);
    expect(h.gpus[1]!.points.length).toBeLessThanOrEqual(MAX_POINTS_PER_SERIES);
    expect(h.gpus[1]!.points.length).toBeGreaterThan(600);
    expect(Math.max(...h.gpus[1]!.points.map((p) => p.utilGpuPct as number))).toBe(100);
  });
});
