/**
 * History written straight into a server's database through the samples repository (bulk inserts:
 * seconds rather than the days the rollup would take): thirty days of minute rows for one node,
 * shaped as a working GPU's (a daily cycle, noise, short spikes a downsampler must not lose), and
 * the last minutes of second rows for a whole fleet, as a server that has been running has them.
 */
import { openDatabase } from "../../server/db/client";
import { samplesRepo, type GpuSampleRow, type HostSampleRow } from "../../server/db/repos/samples-repo";

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
const BATCH = 20_000;

export async function seedHistory(dataDir: string, node: { id: string; gpuUuids: string[] }, now = Date.now(), days = 30): Promise<number> {
  const handle = await openDatabase({ dataDir });
  try {
    const repo = samplesRepo(handle);
    const end = Math.floor(now / MINUTE) * MINUTE - MINUTE;
    const start = end - days * DAY + MINUTE;
    let rows = 0;
    let batch: GpuSampleRow[] = [];
    // Minute by minute across the GPUs, as the rollup writes them: a GPU's rows lie spread over
    // the table, not side by side, and a query pays for that as it would on a real server.
    for (let ts = start; ts <= end; ts += MINUTE) {
      for (const [g, uuid] of node.gpuUuids.entries()) {
        const day = Math.sin(((ts % DAY) / DAY) * 2 * Math.PI + g);
        const spike = (ts / MINUTE + g * 7) % 997 === 0;
        batch.push({
          nodeId: node.id, gpuUuid: uuid, resolutionS: 60, ts,
          utilGpuPct: spike ? 100 : Math.max(0, Math.min(99, 45 + 35 * day + (Math.random() - 0.5) * 20)),
          memUsedMiB: spike ? 24_000 : 8000 + 4000 * Math.round(day + 1),
          tempC: 50 + 15 * day + Math.random() * 3,
          powerW: 150 + 100 * day + Math.random() * 20,
        });
      }
      if (batch.length >= BATCH) {
        await repo.insertGpu(batch);
        rows += batch.length;
        batch = [];
      }
    }
    await repo.insertGpu(batch);
    rows += batch.length;
    const host: HostSampleRow[] = [];
    for (let ts = start; ts <= end; ts += MINUTE) {
      host.push({ nodeId: node.id, resolutionS: 60, ts, cpuPct: 20 + Math.random() * 30, memUsedBytes: 2e10 + Math.random() * 1e10 });
    }
    await repo.insertHost(host);
    return rows + host.length;
  } finally {
    await handle.close();
  }
}

/** The last `seconds` of 1 s rows for every GPU of `nodes` (what the fleet page seeds its sparklines from). */
export async function seedRecent(dataDir: string, nodes: Array<{ id: string; gpuUuids: string[] }>, seconds: number, now = Date.now()): Promise<number> {
  const handle = await openDatabase({ dataDir });
  try {
    const repo = samplesRepo(handle);
    const end = Math.floor(now / 1000) * 1000 - 1000;
    const rows: GpuSampleRow[] = [];
    for (let ts = end - (seconds - 1) * 1000; ts <= end; ts += 1000) {
      for (const n of nodes) {
        for (const uuid of n.gpuUuids) rows.push({ nodeId: n.id, gpuUuid: uuid, resolutionS: 1, ts, utilGpuPct: Math.round(Math.random() * 100), memUsedMiB: 1000 + Math.round(Math.random() * 20000), tempC: 60, powerW: 200 });
      }
    }
    for (let i = 0; i < rows.length; i += BATCH) await repo.insertGpu(rows.slice(i, i + BATCH));
    return rows.length;
  } finally {
    await handle.close();
  }
}
