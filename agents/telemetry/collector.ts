/**
 * Composes GPU readings (nvidia-smi runner) and host stats into telemetry samples: one per
 * interval, in the rhythm of nvidia-smi's own loop so each sample carries a fresh GPU batch. When
 * no batches come (no GPU, driver trouble, a restart) a timer keeps samples flowing, with the
 * reason among the warnings. The hot path only copies references: no spawns besides the runner's
 * loop, no schema validation of our own output.
 */
import { createLogger, type Logger } from "../../lib/logger";
import type { TelemetrySample } from "../../protocol/agent-wire";
import type { HostStats, Snapshot } from "../../protocol/telemetry";
import { createHostSampler } from "./host-stats";
import { queryGpusOnce, queryProcesses, readDriver } from "./nvidia-smi-exec";
import { GPU_QUERY_FIELDS } from "./nvidia-smi-parse";
import { createNvidiaSmiRunner, type NvidiaSmiRunnerOptions } from "./nvidia-smi-runner";

export interface CollectorOptions {
  /** Path or name of nvidia-smi (the CLI passes SWITCHYARD_NVIDIA_SMI ?? "nvidia-smi"). */
  nvidiaSmi: string;
  intervalMs: number;
  logger?: Logger;
  /** Runner tuning; tests shorten the retry and restart delays. */
  runner?: Pick<NvidiaSmiRunnerOptions, "fields" | "processesIntervalMs" | "unavailableRetryMs" | "restartDelayMs">;
}

export interface Collector {
  start(onSample: (sample: TelemetrySample) => void): void;
  stop(): Promise<void>;
}

/** Schema limits (protocol/telemetry.ts); a sample over them would be rejected whole. */
const MAX_GPUS = 64;
const MAX_PROCESSES = 4096;
const MAX_WARNINGS = 64;
/** nvidia-smi can take seconds to start without persistence mode; don't report "no GPUs" before. */
const STARTUP_GRACE_MS = 10_000;
/**
 * The loop's first GPU batch usually lands before the first process query answers (each is its own
 * nvidia-smi start), and the next query is seconds away: a sample sent then shows every GPU with
 * "no processes". GPU batches wait this long at most for that first answer (short: the hub takes an
 * agent silent for 5 s after its hello for gone), and the sample goes out the moment it comes.
 */
const FIRST_PROCESSES_WAIT_MS = 3_000;

const UNKNOWN_DRIVER = { version: null, cuda: null } as const;

function emptyHost(hostname = ""): HostStats {
  return { hostname, cpuPct: null, memUsedBytes: null, memTotalBytes: null };
}

export function createCollector(options: CollectorOptions): Collector {
  const log = options.logger ?? createLogger("telemetry");
  const intervalMs = options.intervalMs;
  const hostSampler = createHostSampler();
  let host = emptyHost();
  let hostBusy = false;
  let onSample: ((sample: TelemetrySample) => void) | null = null;
  let timer: NodeJS.Timeout | null = null;
  let startedAt = 0;

  let firstBatchAt: number | null = null;

  /** A GPU batch arrived: sent, unless the first process list is about to follow it. */
  function onBatch(): void {
    const now = Date.now();
    firstBatchAt ??= now;
    if (!runner.state().processesKnown && now - firstBatchAt < FIRST_PROCESSES_WAIT_MS) return;
    emit();
  }

  function emit(): void {
    if (onSample === null) return;
    const gpu = runner.state();
    const snapshot: Snapshot = {
      host,
      driver: gpu.driver ?? UNKNOWN_DRIVER,
      gpus: gpu.gpus.length > MAX_GPUS ? gpu.gpus.slice(0, MAX_GPUS) : gpu.gpus,
      processes: gpu.processes.length > MAX_PROCESSES ? gpu.processes.slice(0, MAX_PROCESSES) : gpu.processes,
      warnings: gpu.warnings.length > MAX_WARNINGS ? gpu.warnings.slice(0, MAX_WARNINGS) : gpu.warnings,
    };
    try {
      onSample({ ts: Date.now(), snapshot });
    } catch (error) {
      log.error({ err: error }, "telemetry consumer threw; sample dropped");
    }
  }

  const runner = createNvidiaSmiRunner({
    ...options.runner,
    nvidiaSmi: options.nvidiaSmi,
    intervalMs,
    logger: log,
    onBatch,
    onFirstProcesses: () => {
      if (firstBatchAt !== null) emit();
    },
  });

  async function refreshHost(): Promise<void> {
    if (hostBusy) return;
    hostBusy = true;
    try {
      host = await hostSampler.sample();
    } catch (error) {
      log.warn({ err: error }, "could not read host stats");
    } finally {
      hostBusy = false;
    }
  }

  /** Batches drive samples; this only fills in when they stop (or never start). */
  function tick(): void {
    void refreshHost();
    const gpu = runner.state();
    const now = Date.now();
    if (gpu.batchAt !== null && now - gpu.batchAt < 2 * intervalMs) return;
    if (!gpu.settled && now - startedAt < STARTUP_GRACE_MS) return;
    emit();
  }

  return {
    start(callback) {
      if (onSample !== null) return;
      onSample = callback;
      startedAt = Date.now();
      void refreshHost(); // primes the CPU and network counters, so rates exist by the first sample
      runner.start();
      timer = setInterval(tick, intervalMs);
    },

    async stop() {
      onSample = null;
      if (timer !== null) clearInterval(timer);
      timer = null;
      await runner.stop();
    },
  };
}

/** CPU % and network rates need two readings this far apart at least. */
const ONCE_RATE_WINDOW_MS = 250;

/**
 * One snapshot for `switchyard-agent --once`. Never rejects for want of GPUs: a box without
 * nvidia-smi or a working driver gets `gpus: []` and the reason in `warnings`.
 */
export async function collectOnce(options: { nvidiaSmi: string; timeoutMs?: number }): Promise<Snapshot> {
  const command = options.nvidiaSmi;
  const opts = { timeoutMs: options.timeoutMs };
  // Host first: measured while our own nvidia-smi children run, CPU % would mostly show them.
  const hostSampler = createHostSampler();
  await hostSampler.sample();
  await new Promise((resolve) => setTimeout(resolve, ONCE_RATE_WINDOW_MS));
  const host = await hostSampler.sample();
  const [driver, gpus, processes] = await Promise.all([
    readDriver(command, opts),
    queryGpusOnce(command, GPU_QUERY_FIELDS, opts),
    queryProcesses(command, opts),
  ]);

  const warnings = new Set<string>();
  if (!gpus.ok) warnings.add(gpus.failure.message);
  if (!driver.ok) warnings.add(driver.failure.message);
  // Without GPUs the process list failing says nothing new.
  if (!processes.ok && gpus.ok) warnings.add(`Could not list GPU processes: ${processes.failure.message}`);
  return {
    host,
    driver: driver.ok ? driver.value : UNKNOWN_DRIVER,
    gpus: gpus.ok ? gpus.value.gpus : [],
    processes: processes.ok && gpus.ok ? processes.value : [],
    warnings: [...warnings],
  };
}
