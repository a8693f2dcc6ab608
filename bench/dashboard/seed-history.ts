/**
 * Thirty days of minute rows for one node, written straight into a server's database through the
 * samples repository (bulk inserts, seconds rather than the 30 days the rollup would take). The
 * shape is a working GPU's: a daily cycle, noise, and short spikes a downsampler must not lose.
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
          gpuUuid: uuid, resolutionS: 60, ts,
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
