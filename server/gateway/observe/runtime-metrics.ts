/**
 * The server process's own series on /metrics, under the names prom-client's default metrics use
 * (what Node services commonly export): CPU, resident memory, heap, event-loop delay, the time
 * spent in garbage collection by kind, the Node version.
 *
 * GC time per request is how a hot path that keeps request objects alive too long shows itself:
 * they survive the young-generation collections and pile up for the major ones. bench:gateway reads
 * it around each throughput run.
 */
import { constants, monitorEventLoopDelay, PerformanceObserver, type IntervalHistogram, type PerformanceEntry } from "node:perf_hooks";
import { Counter, Histogram, Registry } from "./prometheus";

const GC_KINDS: Record<number, string> = {
  [constants.NODE_PERFORMANCE_GC_MINOR]: "minor",
  [constants.NODE_PERFORMANCE_GC_MAJOR]: "major",
  [constants.NODE_PERFORMANCE_GC_INCREMENTAL]: "incremental",
  [constants.NODE_PERFORMANCE_GC_WEAKCB]: "weakcb",
};
const GC_BUCKETS = [0.001, 0.01, 0.1, 1, 2, 5];
/** The event loop is sampled this often (ms); a sample is the time between two samples beyond this. */
const LOOP_RESOLUTION_MS = 10;
/** Event-loop delay is reported for the last whole window of this length, whoever scrapes and how often. */
const LOOP_WINDOW_MS = 15_000;

interface LoopDelay {
  p50: number;
  p99: number;
  max: number;
}

export class RuntimeMetrics {
  private readonly registry = new Registry();
  private readonly cpuUser = this.registry.add(new Counter("process_cpu_user_seconds_total", "User CPU time of the server process."));
  private readonly cpuSystem = this.registry.add(new Counter("process_cpu_system_seconds_total", "System CPU time of the server process."));
  private readonly cpu = this.registry.add(new Counter("process_cpu_seconds_total", "User and system CPU time of the server process."));
  private readonly rss = this.registry.add(new Counter("process_resident_memory_bytes", "Resident memory of the server process.", "gauge"));
  private readonly startTime = this.registry.add(new Counter("process_start_time_seconds", "When the server process started, in Unix seconds.", "gauge"));
  private readonly heapUsed = this.registry.add(new Counter("nodejs_heap_size_used_bytes", "JavaScript heap in use.", "gauge"));
  private readonly heapTotal = this.registry.add(new Counter("nodejs_heap_size_total_bytes", "JavaScript heap reserved.", "gauge"));
  private readonly external = this.registry.add(new Counter("nodejs_external_memory_bytes", "Memory held outside the heap by JavaScript objects (buffers).", "gauge"));
  private readonly lagP50 = this.registry.add(new Counter("nodejs_eventloop_lag_p50_seconds", "Event-loop delay, median over the last 15 s window.", "gauge"));
  private readonly lagP99 = this.registry.add(new Counter("nodejs_eventloop_lag_p99_seconds", "Event-loop delay, 99th percentile over the last 15 s window.", "gauge"));
  private readonly lagMax = this.registry.add(new Counter("nodejs_eventloop_lag_max_seconds", "Event-loop delay, longest over the last 15 s window.", "gauge"));
  private readonly gc = this.registry.add(new Histogram("nodejs_gc_duration_seconds", "Garbage collection pauses by kind (minor: the young generation).", GC_BUCKETS));
  private readonly version = this.registry.add(new Counter("nodejs_version_info", "The Node version the server runs on.", "gauge"));
  private readonly startedAt = Math.round(Date.now() / 1000 - process.uptime());
  private observer: PerformanceObserver | null = null;
  private delay: IntervalHistogram | null = null;
  private window: NodeJS.Timeout | null = null;
  private lastWindow: LoopDelay | null = null;

  constructor(private readonly windowMs = LOOP_WINDOW_MS) {
    const [major, minor, patch] = process.versions.node.split(".");
    this.version.set({ version: process.version, major: major ?? "", minor: minor ?? "", patch: patch ?? "" }, 1);
  }

  start(): void {
    if (this.observer) return;
    this.observer = new PerformanceObserver((list) => {
      for (const e of list.getEntries()) {
        const kind = GC_KINDS[(e as PerformanceEntry & { detail?: { kind?: number } }).detail?.kind ?? -1] ?? "other";
        this.gc.observe({ kind }, e.duration / 1000);
      }
    });
    this.observer.observe({ entryTypes: ["gc"] });
    const delay = monitorEventLoopDelay({ resolution: LOOP_RESOLUTION_MS });
    delay.enable();
    this.delay = delay;
    this.window = setInterval(() => {
      if (delay.count > 0) this.lastWindow = { p50: beyondResolution(delay.percentile(50)), p99: beyondResolution(delay.percentile(99)), max: beyondResolution(delay.max) };
      delay.reset();
    }, this.windowMs);
    this.window.unref();
  }

  stop(): void {
    this.observer?.disconnect();
    this.observer = null;
    this.delay?.disable();
    this.delay = null;
    if (this.window) clearInterval(this.window);
    this.window = null;
  }

  render(): string {
    const usage = process.cpuUsage();
    const mem = process.memoryUsage();
    this.cpuUser.set({}, usage.user / 1e6);
    this.cpuSystem.set({}, usage.system / 1e6);
    this.cpu.set({}, (usage.user + usage.system) / 1e6);
    this.rss.set({}, mem.rss);
    this.startTime.set({}, this.startedAt);
    this.heapUsed.set({}, mem.heapUsed);
    this.heapTotal.set({}, mem.heapTotal);
    this.external.set({}, mem.external);
    if (this.lastWindow) {
      this.lagP50.set({}, this.lastWindow.p50);
      this.lagP99.set({}, this.lastWindow.p99);
      this.lagMax.set({}, this.lastWindow.max);
    }
    return this.registry.render();
  }
}

/** Seconds a sample (nanoseconds between two ticks) came late. */
const beyondResolution = (ns: number) => Math.max(0, ns / 1e9 - LOOP_RESOLUTION_MS / 1000);
