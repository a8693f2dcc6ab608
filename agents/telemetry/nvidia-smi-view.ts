/**
 * What the nvidia-smi runner knows → what it shows (NvidiaSmiState). Pure: readings older than
 * `staleMs` are not shown as current, and every reason for missing or partial data becomes a
 * warning a person can act on.
 */
import type { DriverInfo, Gpu, GpuProcess } from "../../protocol/telemetry";

export interface NvidiaSmiState {
  gpus: Gpu[];
  processes: GpuProcess[];
  driver: DriverInfo | null;
  warnings: string[];
  /** When the latest complete batch arrived (ms epoch), null before the first. */
  batchAt: number | null;
  /** How many loop children have been spawned; restarts show here. */
  loopStarts: number;
  /** The fields the loop asks for now: fewer than asked when the driver rejected some. */
  fields: readonly string[];
  /** False until the first batch or the first failure: before that, no GPUs means "not yet known". */
  settled: boolean;
  /** False until the first process query has answered (or nvidia-smi is unusable): before that, no processes means "not yet known". */
  processesKnown: boolean;
}

/** The runner's record, kept by the adapter as it goes. */
export interface Readings {
  gpus: Gpu[];
  batchAt: number | null;
  processes: GpuProcess[];
  driver: DriverInfo | null;
  loopStarts: number;
  fields: readonly string[];
  /** Why nvidia-smi cannot be used at all (no binary, no driver, NVML mismatch); null when it can. */
  unavailable: string | null;
  /** The loop child died and a restart is pending. */
  loopWarning: string | null;
  processWarning: string | null;
  /** When a process query last answered (ms epoch), null before the first. */
  processesAt: number | null;
  /** Warnings nvidia-smi printed among its rows (a corrupted infoROM …). */
  driverNotes: ReadonlySet<string>;
}

export function viewState(r: Readings, now: number, staleMs: number): NvidiaSmiState {
  const fresh = r.batchAt !== null && now - r.batchAt <= staleMs && r.unavailable === null;
  const warnings: string[] = [];
  if (r.unavailable !== null) warnings.push(r.unavailable);
  if (r.loopWarning !== null) warnings.push(r.loopWarning);
  else if (!fresh && r.batchAt !== null && r.unavailable === null) {
    warnings.push(`No GPU readings from nvidia-smi for ${Math.round((now - r.batchAt) / 1000)} s`);
  }
  if (r.processWarning !== null) warnings.push(r.processWarning);
  warnings.push(...r.driverNotes);
  const settled = r.batchAt !== null || r.unavailable !== null || r.loopWarning !== null;
  return {
    gpus: fresh ? r.gpus : [],
    processes: r.unavailable === null ? r.processes : [],
    driver: r.driver,
    warnings,
    batchAt: r.batchAt,
    loopStarts: r.loopStarts,
    fields: r.fields,
    settled,
    processesKnown: r.processesAt !== null || r.unavailable !== null,
  };
}
