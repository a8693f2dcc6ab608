/**
 * The telemetry snapshot: what `switchyard-agent --once` prints and what the agent streams every
 * second. Field names and null semantics are fixed by the contract (CONTRACT.md): values nvidia-smi
 * reports as unavailable are `null`, never 0. Fields beyond the contract's are additions.
 */
import { z } from "zod";

const num = z.number().finite();
const nullableNum = num.nullable();

export const hostStatsSchema = z.object({
  hostname: z.string(),
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
  version: z.string().nullable(),
  cuda: z.string().nullable(),
});
export type DriverInfo = z.infer<typeof driverInfoSchema>;

export const gpuSchema = z.object({
  index: z.number().int().nonnegative(),
  uuid: z.string().min(1),
  name: z.string(),
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
  pstate: z.string().nullable().optional(),
  /** "Enabled" / "Disabled" / null where the GPU has no MIG support. */
  migMode: z.string().nullable().optional(),
});
export type Gpu = z.infer<typeof gpuSchema>;

export const gpuProcessSchema = z.object({
  gpuUuid: z.string(),
  pid: z.number().int().nonnegative(),
  name: z.string(),
  usedMiB: nullableNum,
});
export type GpuProcess = z.infer<typeof gpuProcessSchema>;

export const snapshotSchema = z.object({
  host: hostStatsSchema,
  /** Always an object (contract): `{version: null, cuda: null}` when the driver cannot be read. */
  driver: driverInfoSchema,
  gpus: z.array(gpuSchema).max(64),
  processes: z.array(gpuProcessSchema).max(4096),
  warnings: z.array(z.string()).max(64),
});
export type Snapshot = z.infer<typeof snapshotSchema>;
