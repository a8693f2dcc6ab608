/**
 * The nvidia-smi I/O adapter. One long-running `--query-gpu … -lms N` child streams rows (a spawn
 * per sample would re-initialise the driver each time; see REFERENCE.md); `--query-compute-apps`
 * is spawned every few seconds; `-L` and `--version` run when the loop (re)starts from scratch.
 *
 * A box without a usable NVIDIA stack (no binary, no driver, NVML mismatch) is not an error: the
 * state says `gpus: []` with the reason as a warning, and the runner looks again every 30 s.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { LineSplitter } from "../../lib/line-splitter";
import { createLogger, type Logger } from "../../lib/logger";
import type { Gpu } from "../../protocol/telemetry";
import { BatchAssembler } from "./nvidia-smi-batches";
import { gpuQueryArgs, listGpus, queryProcesses, readDriver, type Canceller } from "./nvidia-smi-exec";
import { classifyFailure, GPU_QUERY_FIELDS, isUnavailable, parseGpuLine, type SmiFailure } from "./nvidia-smi-parse";
import { DEFAULT_RESTART_BACKOFF, onLoopEnd, runnerTimings, type RestartBackoff } from "./nvidia-smi-restart";
import { viewState, type NvidiaSmiState, type Readings } from "./nvidia-smi-view";

export type { NvidiaSmiState } from "./nvidia-smi-view";

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
  restartDelayMs?: RestartBackoff;
  /** Called with every complete batch (one row per GPU), in the child's rhythm. */
  onBatch?: (gpus: readonly Gpu[]) => void;
  /** Called when the first process query since the start has answered. */
  onFirstProcesses?: () => void;
}

export interface NvidiaSmiRunner {
  start(): void;
  stop(): Promise<void>;
  state(): NvidiaSmiState;
}

const TAIL_CHARS = 4096;
/** A change in a GPU's used memory this large lists the processes at once (not at the next tick)… */
const MEMORY_JUMP_MIB = 1024;
/** …but not more often than this, whatever the memory does. */
const MIN_PROCESSES_GAP_MS = 1000;
/** No newline in 1 MiB: not CSV. Only a tail is kept, for the failure message. */
const MAX_LINE_CHARS = 1 << 20;

export function createNvidiaSmiRunner(options: NvidiaSmiRunnerOptions): NvidiaSmiRunner {
  const log = options.logger ?? createLogger("nvidia-smi");
  const command = options.nvidiaSmi;
  const timing = runnerTimings(options.intervalMs);
  const processesEveryMs = options.processesIntervalMs ?? 5_000;
  const retryMs = options.unavailableRetryMs ?? 30_000;
  const backoff = options.restartDelayMs ?? DEFAULT_RESTART_BACKOFF;

  const driverNotes = new Set<string>();
  const r: Readings = {
    gpus: [], batchAt: null, processes: [], driver: null, loopStarts: 0, fields: options.fields ?? GPU_QUERY_FIELDS,
    unavailable: null, loopWarning: null, processWarning: null, processesAt: null, driverNotes,
  };
  let running = false;
  let loop: ChildProcess | null = null;
  let restarts = 0;
  let gpuCount: number | null = null;
  let lastOutputAt = 0;
  let batches = new BatchAssembler(null);
  let processesBusy = false;
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

  function deliver(batch: Gpu[]): void {
    r.gpus = batch;
    r.batchAt = Date.now();
    r.loopWarning = null;
    // A GPU's memory moved a lot since the processes were listed (a model loaded or went): list them
    // now, so that the view (and an alert on GPU memory) names who holds it without waiting for the tick.
    if (memoryMoved(batch) && Date.now() - (r.processesAt ?? 0) >= MIN_PROCESSES_GAP_MS) void refreshProcesses();
    options.onBatch?.(r.gpus);
  }

  /** Memory used per GPU (by uuid) when the processes were last asked for. */
  let memoryAtProcesses = new Map<string, number | null>();
  function memoryMoved(batch: Gpu[]): boolean {
    if (r.processesAt === null) return false; // the first listing is on its way
    let moved = false;
    for (const g of batch) {
      const before = memoryAtProcesses.get(g.uuid);
      // Listed before this GPU's first row (the first listing races the first batch): this is its baseline.
      if (before === undefined) memoryAtProcesses.set(g.uuid, g.memUsedMiB);
      else if (before !== null && g.memUsedMiB !== null && Math.abs(g.memUsedMiB - before) >= MEMORY_JUMP_MIB) moved = true;
    }
    return moved;
  }

  function flush(): void {
    if (quietTimer !== null) clearTimeout(quietTimer);
    quietTimer = null;
    const batch = batches.flush();
    if (batch !== null) deliver(batch);
  }

  function onRow(gpu: Gpu): void {
    const batch = batches.push(gpu);
    if (batch !== null) deliver(batch);
    if (!batches.holding) {
      if (quietTimer !== null) clearTimeout(quietTimer);
      quietTimer = null;
    } else if (quietTimer === null) quietTimer = setTimeout(flush, timing.quietMs);
    else quietTimer.refresh();
  }

  async function probe(): Promise<void> {
    const [list, version] = await Promise.all([
      listGpus(command, { canceller }),
      r.driver === null ? readDriver(command, { canceller }) : null,
    ]);
    if (!running) return;
    if (!list.ok && isUnavailable(list.failure)) return becomeUnavailable(list.failure);
    if (version !== null && !version.ok && isUnavailable(version.failure)) return becomeUnavailable(version.failure);
    gpuCount = list.ok && list.value.gpus.length > 0 ? list.value.gpus.length : null;
    if (version !== null) r.driver = version.ok ? version.value : null;
    if (r.unavailable !== null) log.info({ command }, "nvidia-smi is usable again");
    r.unavailable = null;
    startLoop();
    void refreshProcesses();
  }

  function becomeUnavailable(failure: SmiFailure): void {
    if (r.unavailable !== failure.message) log.warn({ command, kind: failure.kind }, failure.message);
    r.unavailable = failure.message;
    r.gpus = [];
    r.processes = [];
    r.processWarning = null;
    r.driver = null;
    later(retryMs, () => void probe());
  }

  function startLoop(): void {
    let child: ChildProcess;
    try {
      child = spawn(command, gpuQueryArgs(r.fields, timing.intervalMs), { stdio: ["ignore", "pipe", "pipe"], windowsHide: true });
    } catch (error) {
      // spawn throws synchronously only for unusable arguments, e.g. an empty path.
      return becomeUnavailable(classifyFailure("ENOENT", String(error), command));
    }
    loop = child;
    r.loopStarts++;
    const startedAt = Date.now();
    lastOutputAt = startedAt;
    batches = new BatchAssembler(gpuCount);
    driverNotes.clear();
    const asked = r.fields;
    let tail = "";
    const keepTail = (text: string): void => {
      tail = (tail + text).slice(-TAIL_CHARS);
    };
    const lines = new LineSplitter({ maxLineChars: MAX_LINE_CHARS, keepChars: TAIL_CHARS });
    child.stdout!.setEncoding("utf8");
    child.stdout!.on("data", (chunk: string) => {
      lastOutputAt = Date.now();
      for (const line of lines.push(chunk)) {
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
      const failure = classifyFailure(exit, tail + lines.partial, command);
      applyLoopEnd(failure, exit, Date.now() - startedAt, asked);
    };
    child.on("error", (error: NodeJS.ErrnoException) => end(error.code ?? null));
    child.on("close", (code, signal) => end(code ?? signal));
  }

  function onNoise(line: string, keepTail: (text: string) => void): void {
    keepTail(`${line}\n`);
    // nvidia-smi prints driver warnings (e.g. a corrupted infoROM) among the rows; surface them.
    if (/^WARNING/i.test(line) && driverNotes.size < 4) driverNotes.add(`nvidia-smi: ${line}`);
  }

  function applyLoopEnd(failure: SmiFailure, exit: number | string | null, livedMs: number, asked: readonly string[]): void {
    const decision = onLoopEnd({ failure, exit, livedMs, fields: asked, restarts }, backoff);
    switch (decision.action) {
      case "drop-field":
        log.info({ command, field: decision.field }, "this nvidia-smi does not know a field; querying without it");
        r.fields = decision.fields;
        return startLoop();
      case "unavailable":
        return becomeUnavailable(decision.failure);
      case "restart":
        restarts = decision.restarts;
        r.loopWarning = decision.warning;
        log.warn({ command, exit, delayMs: decision.delayMs }, r.loopWarning);
        // From scratch: the GPU count may have changed (a GPU fell off the bus, a driver reload).
        later(decision.delayMs, () => void probe());
    }
  }
  async function refreshProcesses(): Promise<void> {
    // Only while a loop runs: before the first probe, or while the stack is unusable, the loop's
    // own failure is the one warning worth showing.
    if (processesBusy || r.unavailable !== null || loop === null) return;
    processesBusy = true;
    memoryAtProcesses = new Map(r.gpus.map((g) => [g.uuid, g.memUsedMiB]));
    const outcome = await queryProcesses(command, { canceller });
    processesBusy = false;
    if (!running) return;
    r.processes = outcome.ok ? outcome.value : [];
    const failure = outcome.ok ? null : outcome.failure;
    r.processWarning = failure === null || isUnavailable(failure) ? null : `Could not list GPU processes: ${failure.message}`;
    const first = r.processesAt === null;
    r.processesAt = Date.now();
    if (first) options.onFirstProcesses?.();
  }

  function tick(): void {
    if (r.unavailable !== null) return;
    void refreshProcesses();
    // A child that is alive but silent means a hung driver call: kill it and let the backoff work.
    if (loop !== null && Date.now() - lastOutputAt > timing.hangMs) {
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
      return viewState(r, Date.now(), timing.staleMs);
    },
  };
}
