/**
 * The telemetry snapshot: what `switchyard-agent --once` prints and what the agent streams every
 * second. Field names and null semantics are fixed by the contract (CONTRACT.md): values nvidia-smi
 * reports as unavailable are `null`, never 0. Fields beyond the contract's are additions.
 */
import { z } from "zod";

const num = z.number().finite();
const nullableNum = num.nullable();
/**
 * Size bounds: what a socket sends is hostile, and every bound here keeps one snapshot well under
 * the hub's message limit (a real box: a few KiB) so that validating it stays cheap.
 */
export const SNAPSHOT_LIMITS = { gpus: 64, processes: 1024, warnings: 64, text: 256, warning: 1000 } as const;
const text = (max: number = SNAPSHOT_LIMITS.text) => z.string().max(max);

export const hostStatsSchema = z.object({
  hostname: text(),
  cpuPct: nullableNum,
  memUsedBytes: nullableNum,
  memTotalBytes: nullableNum,
  /** Root filesystem (or the largest mount) usage. */
  diskUsedBytes: nullableNum.optional(),
  diskTotalBytes: nullableNum.optional(),
  /** Summed over physical interfaces, bytes per second since the previous sample. */
  netRxBytesPerSec: nullableNum.optional(),
  netTxBytesPerSec: nullableNum.optional(),
  load1: nullableNum.optional(),
});
export type HostStats = z.infer<typeof hostStatsSchema>;

export const driverInfoSchema = z.object({
  version: text(64).nullable(),
  cuda: text(64).nullable(),
});
export type DriverInfo = z.infer<typeof driverInfoSchema>;

export const gpuSchema = z.object({
  index: z.number().int().nonnegative().max(1023),
  uuid: text(128).min(1),
  name: text(),
  memTotalMiB: nullableNum,
  memUsedMiB: nullableNum,
  utilGpuPct: nullableNum,
  tempC: nullableNum,
  powerW: nullableNum,
  powerLimitW: nullableNum,
  // Additions beyond the contract.
  utilMemPct: nullableNum.optional(),
  fanPct: nullableNum.optional(),
  smClockMHz: nullableNum.optional(),
  memClockMHz: nullableNum.optional(),
  pstate: text(16).nullable().optional(),
  /** "Enabled" / "Disabled" / null where the GPU has no MIG support. */
  migMode: text(32).nullable().optional(),
});
export type Gpu = z.infer<typeof gpuSchema>;

export const gpuProcessSchema = z.object({
  gpuUuid: text(128),
  pid: z.number().int().nonnegative().max(2 ** 32),
  name: text(256),
  usedMiB: nullableNum,
});
export type GpuProcess = z.infer<typeof gpuProcessSchema>;

export const snapshotSchema = z.object({
  host: hostStatsSchema,
  /** Always an object (contract): `{version: null, cuda: null}` when the driver cannot be read. */
  driver: driverInfoSchema,
  gpus: z.array(gpuSchema).max(SNAPSHOT_LIMITS.gpus),
  processes: z.array(gpuProcessSchema).max(SNAPSHOT_LIMITS.processes),
  warnings: z.array(text(SNAPSHOT_LIMITS.warning)).max(SNAPSHOT_LIMITS.warnings),
});
export type Snapshot = z.infer<typeof snapshotSchema>;

const cut = (s: string, max: number) => (s.length > max ? s.slice(0, max) : s);
const cutNullable = (s: string | null | undefined, max: number) => (typeof s === "string" ? cut(s, max) : s);

/**
 * A snapshot trimmed to SNAPSHOT_LIMITS, so that one unusual value on a real box (a very long
 * process path, thousands of processes) costs a truncated field instead of every sample being
 * refused by the server. The agent applies it before sending.
 */
export function clampSnapshot(s: Snapshot): Snapshot {
  const L = SNAPSHOT_LIMITS;
  return {
    host: { ...s.host, hostname: cut(s.host.hostname, L.text) },
    driver: { version: cutNullable(s.driver.version, 64) ?? null, cuda: cutNullable(s.driver.cuda, 64) ?? null },
    gpus: s.gpus.slice(0, L.gpus).map((g) => ({
      ...g, uuid: cut(g.uuid, 128), name: cut(g.name, L.text), pstate: cutNullable(g.pstate, 16), migMode: cutNullable(g.migMode, 32),
    })),
    processes: s.processes.slice(0, L.processes).map((p) => ({ ...p, gpuUuid: cut(p.gpuUuid, 128), name: cut(p.name, L.text) })),
    warnings: s.warnings.slice(0, L.warnings).map((w) => cut(w, L.warning)),
  };
}
