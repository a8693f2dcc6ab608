/**
 * The nvidia-smi I/O adapter. One long-running `--query-gpu … -lms N` child streams rows (a spawn
 * per sample would re-initialise the driver each time; see REFERENCE.md); `--query-compute-apps`
 * is spawned every few seconds; `-L` and `--version` run when the loop (re)starts from scratch.
 *
 * A box without a usable NVIDIA stack (no binary, no driver, NVML mismatch) is not an error: the
 * state says `gpus: []` with the reason as a warning, and the runner looks again every 30 s.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createLogger, type Logger } from "../../lib/logger";
import type { DriverInfo, Gpu, GpuProcess } from "../../protocol/telemetry";
import { gpuQueryArgs, listGpus, queryProcesses, readDriver, type Canceller } from "./nvidia-smi-exec";
import { classifyFailure, GPU_QUERY_FIELDS, isUnavailable, parseGpuLine, withoutField, type SmiFailure } from "./nvidia-smi-parse";

export interface NvidiaSmiRunnerOptions {
  /** Path or name of nvidia-smi (the CLI passes SWITCHYARD_NVIDIA_SMI ?? "nvidia-smi"). */
  nvidiaSmi: string;
  intervalMs: number;
  logger?: Logger;
  fields?: readonly string[];
  processesIntervalMs?: number;
  /** How often to look again while nvidia-smi is missing or the driver unusable. */
  unavailableRetryMs?: number;
  /** Backoff between restarts of a loop child that died; doubles up to max. */
  restartDelayMs?: { min: number; max: number };
  /** Called with every complete batch (one row per GPU), in the child's rhythm. */
  onBatch?: (gpus: readonly Gpu[]) => void;
}

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
}

export interface NvidiaSmiRunner {
  start(): void;
  stop(): Promise<void>;
  state(): NvidiaSmiState;
}

/** A child that lived this long was healthy: its death restarts the backoff from the minimum. */
const HEALTHY_AFTER_MS = 60_000;
const TAIL_CHARS = 4096;

export function createNvidiaSmiRunner(options: NvidiaSmiRunnerOptions): NvidiaSmiRunner {
  const log = options.logger ?? createLogger("nvidia-smi");
  const command = options.nvidiaSmi;
  const intervalMs = Math.max(50, Math.round(options.intervalMs));
  const processesEveryMs = options.processesIntervalMs ?? 5_000;
  const retryMs = options.unavailableRetryMs ?? 30_000;
  const backoff = options.restartDelayMs ?? { min: 1_000, max: 30_000 };
  // Readings older than this are not shown as current (the loop died or the driver hangs).
  const staleMs = Math.max(5 * intervalMs, 5_000);
  const hangMs = Math.max(10 * intervalMs, 30_000);

  let fields: readonly string[] = options.fields ?? GPU_QUERY_FIELDS;
  let running = false;
  let loop: ChildProcess | null = null;
  let loopStarts = 0;
  let gpuCount: number | null = null;
  let driver: DriverInfo | null = null;
  let latest: Gpu[] = [];
  let batchAt: number | null = null;
  let lastOutputAt = 0;
  let pending: Gpu[] = [];
  let processes: GpuProcess[] = [];
  let processesBusy = false;
  let restartDelay = backoff.min;
  let unavailable: string | null = null;
  let loopWarning: string | null = null;
  let processWarning: string | null = null;
  const driverNotes = new Set<string>();
  const timers = new Set<NodeJS.Timeout>();
  const cancels = new Set<() => void>();
  const canceller: Canceller = { add: (c) => cancels.add(c), remove: (c) => cancels.delete(c) };
  let quietTimer: NodeJS.Timeout | null = null;
  let housekeeping: NodeJS.Timeout | null = null;

  const later = (ms: number, fn: () => void): void => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      if (running) fn();
    }, ms);
    timers.add(timer);
  };

  function flush(): void {
    if (quietTimer !== null) clearTimeout(quietTimer);
    quietTimer = null;
    if (pending.length === 0) return;
    latest = pending;
    pending = [];
    batchAt = Date.now();
    loopWarning = null;
    options.onBatch?.(latest);
  }

  /**
   * Rows of one sample arrive back to back. A batch is complete when it has as many rows as `-L`
   * listed GPUs, when the index wraps around (count unknown or changed), or after a quiet gap.
   */
  function onRow(gpu: Gpu): void {
    const last = pending[pending.length - 1];
    if (last !== undefined && gpu.index <= last.index) flush();
    pending.push(gpu);
    if (gpuCount !== null && pending.length >= gpuCount) return flush();
    if (quietTimer === null) quietTimer = setTimeout(flush, Math.min(250, intervalMs / 2));
    else quietTimer.refresh();
  }

  async function probe(): Promise<void> {
    const [list, version] = await Promise.all([
      listGpus(command, { canceller }),
      driver === null ? readDriver(command, { canceller }) : null,
    ]);
    if (!running) return;
    if (!list.ok && isUnavailable(list.failure)) return becomeUnavailable(list.failure);
    if (version !== null && !version.ok && isUnavailable(version.failure)) return becomeUnavailable(version.failure);
    gpuCount = list.ok && list.value.gpus.length > 0 ? list.value.gpus.length : null;
    if (version !== null) driver = version.ok ? version.value : null;
    if (unavailable !== null) log.info({ command }, "nvidia-smi is usable again");
    unavailable = null;
    startLoop();
    void refreshProcesses();
  }

  function becomeUnavailable(failure: SmiFailure): void {
    if (unavailable !== failure.message) log.warn({ command, kind: failure.kind }, failure.message);
    unavailable = failure.message;
    latest = [];
    processes = [];
    processWarning = null;
    driver = null;
    later(retryMs, () => void probe());
  }

  function startLoop(): void {
    let child: ChildProcess;
    try {
      child = spawn(command, gpuQueryArgs(fields, intervalMs), { stdio: ["ignore", "pipe", "pipe"], windowsHide: true });
    } catch (error) {
      // spawn throws synchronously only for unusable arguments, e.g. an empty path.
      return becomeUnavailable(classifyFailure("ENOENT", String(error), command));
    }
    loop = child;
    loopStarts++;
    const startedAt = Date.now();
    lastOutputAt = startedAt;
    pending = [];
    driverNotes.clear();
    const asked = fields;
    let tail = "";
    let partial = "";
    const keepTail = (text: string): void => {
      tail = (tail + text).slice(-TAIL_CHARS);
    };
    child.stdout!.setEncoding("utf8");
    child.stdout!.on("data", (chunk: string) => {
      lastOutputAt = Date.now();
      partial += chunk;
      if (partial.length > 1 << 20) partial = partial.slice(-TAIL_CHARS); // no newline in 1 MiB: not CSV
      let newline: number;
      while ((newline = partial.indexOf("\n")) >= 0) {
        const line = partial.slice(0, newline);
        partial = partial.slice(newline + 1);
        const gpu = parseGpuLine(line, asked);
        if (gpu !== null) onRow(gpu);
        else if (line.trim() !== "") onNoise(line.trim(), keepTail);
      }
    });
    child.stderr!.setEncoding("utf8");
    child.stderr!.on("data", keepTail);

    let ended = false;
    const end = (exit: number | string | null): void => {
      if (ended) return;
      ended = true;
      if (loop === child) loop = null;
      if (!running) return;
      flush();
      onLoopEnd(classifyFailure(exit, tail + partial, command), exit, Date.now() - startedAt);
    };
    child.on("error", (error: NodeJS.ErrnoException) => end(error.code ?? null));
    child.on("close", (code, signal) => end(code ?? signal));
  }

  function onNoise(line: string, keepTail: (text: string) => void): void {
    keepTail(`${line}\n`);
    // nvidia-smi prints driver warnings (e.g. a corrupted infoROM) among the rows; surface them.
    if (/^WARNING/i.test(line) && driverNotes.size < 4) driverNotes.add(`nvidia-smi: ${line}`);
  }

  function onLoopEnd(failure: SmiFailure, exit: number | string | null, livedMs: number): void {
    if (failure.kind === "invalid-field") {
      const next = withoutField(fields, failure.field ?? "");
      if (next !== null) {
        log.info({ command, field: failure.field }, "this nvidia-smi does not know a field; querying without it");
        fields = next;
        return startLoop();
      }
    }
    if (isUnavailable(failure)) return becomeUnavailable(failure);
    restartDelay = livedMs >= HEALTHY_AFTER_MS ? backoff.min : restartDelay;
    const delay = restartDelay;
    restartDelay = Math.min(backoff.max, restartDelay * 2);
    const reason = exit === 0 ? "nvidia-smi stopped unexpectedly" : failure.message;
    loopWarning = `${reason}; restarting it in ${Math.ceil(delay / 1000)} s`;
    log.warn({ command, exit, delayMs: delay }, loopWarning);
    // From scratch: the GPU count may have changed (a GPU fell off the bus, a driver reload).
    later(delay, () => void probe());
  }

  async function refreshProcesses(): Promise<void> {
    // Only while a loop runs: before the first probe, or while the stack is unusable, the loop's
    // own failure is the one warning worth showing.
    if (processesBusy || unavailable !== null || loop === null) return;
    processesBusy = true;
    const outcome = await queryProcesses(command, { canceller });
    processesBusy = false;
    if (!running) return;
    processes = outcome.ok ? outcome.value : [];
    const failure = outcome.ok ? null : outcome.failure;
    processWarning = failure === null || isUnavailable(failure) ? null : `Could not list GPU processes: ${failure.message}`;
  }

  function tick(): void {
    if (unavailable !== null) return;
    void refreshProcesses();
    // A child that is alive but silent means a hung driver call: kill it and let the backoff work.
    if (loop !== null && Date.now() - lastOutputAt > hangMs) {
      log.warn({ command, silentMs: Date.now() - lastOutputAt }, "nvidia-smi stopped answering; killing it");
      loop.kill("SIGKILL");
    }
  }

  return {
    start() {
      if (running) return;
      running = true;
      housekeeping = setInterval(tick, processesEveryMs);
      void probe();
    },

    async stop() {
      if (!running) return;
      running = false;
      if (housekeeping !== null) clearInterval(housekeeping);
      if (quietTimer !== null) clearTimeout(quietTimer);
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      for (const cancel of cancels) cancel();
      cancels.clear();
      const child = loop;
      loop = null;
      if (child !== null && child.exitCode === null && child.signalCode === null) {
        const closed = new Promise<void>((resolve) => child.once("close", () => resolve()));
        child.kill("SIGTERM");
        const force = setTimeout(() => child.kill("SIGKILL"), 2_000);
        await closed;
        clearTimeout(force);
      }
    },

    state() {
      const fresh = batchAt !== null && Date.now() - batchAt <= staleMs && unavailable === null;
      const warnings: string[] = [];
      if (unavailable !== null) warnings.push(unavailable);
      if (loopWarning !== null) warnings.push(loopWarning);
      else if (!fresh && batchAt !== null && unavailable === null) {
        warnings.push(`No GPU readings from nvidia-smi for ${Math.round((Date.now() - batchAt) / 1000)} s`);
      }
      if (processWarning !== null) warnings.push(processWarning);
      warnings.push(...driverNotes);
      const settled = batchAt !== null || unavailable !== null || loopWarning !== null;
      return { gpus: fresh ? latest : [], processes: unavailable === null ? processes : [], driver, warnings, batchAt, loopStarts, fields, settled };
    },
  };
}
