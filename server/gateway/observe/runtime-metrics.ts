/**
 * The server process's own series on /metrics, named as Node exporters name them (prom-client's
 * defaults), so the usual Node dashboards work: CPU, resident memory, heap, event-loop delay, and the
 * time spent in garbage collection by kind.
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
/** Event-loop delay is sampled this often (ms); its gauges cover the time since the last scrape. */
const LOOP_RESOLUTION_MS = 10;

export class RuntimeMetrics {
  private readonly registry = new Registry();
  private readonly cpu = this.registry.add(new Counter("process_cpu_seconds_total", "User and system CPU time of the server process."));
  private readonly rss = this.registry.add(new Counter("process_resident_memory_bytes", "Resident memory of the server process.", "gauge"));
  private readonly startTime = this.registry.add(new Counter("process_start_time_seconds", "When the server process started, in Unix seconds.", "gauge"));
  private readonly heapUsed = this.registry.add(new Counter("nodejs_heap_size_used_bytes", "JavaScript heap in use.", "gauge"));
  private readonly heapTotal = this.registry.add(new Counter("nodejs_heap_size_total_bytes", "JavaScript heap reserved.", "gauge"));
  private readonly external = this.registry.add(new Counter("nodejs_external_memory_bytes", "Memory held outside the heap by JavaScript objects (buffers).", "gauge"));
  private readonly loop = this.registry.add(new Counter("nodejs_eventloop_lag_seconds", "Event-loop delay since the last scrape, by quantile (p50, p99, max).", "gauge"));
  private readonly gc = this.registry.add(new Histogram("nodejs_gc_duration_seconds", "Garbage collection pauses by kind (minor: the young generation).", GC_BUCKETS));
  private readonly startedAt = Math.round(Date.now() / 1000 - process.uptime());
  private observer: PerformanceObserver | null = null;
  private delay: IntervalHistogram | null = null;

  start(): void {
    if (this.observer) return;
    this.observer = new PerformanceObserver((list) => {
      for (const e of list.getEntries()) {
        const kind = GC_KINDS[(e as PerformanceEntry & { detail?: { kind?: number } }).detail?.kind ?? -1] ?? "other";
        this.gc.observe({ kind }, e.duration / 1000);
      }
    });
    this.observer.observe({ entryTypes: ["gc"] });
    this.delay = monitorEventLoopDelay({ resolution: LOOP_RESOLUTION_MS });
    this.delay.enable();
  }

  stop(): void {
    this.observer?.disconnect();
    this.observer = null;
    this.delay?.disable();
    this.delay = null;
  }

  render(): string {
    const usage = process.cpuUsage();
    const mem = process.memoryUsage();
    this.cpu.set({}, (usage.user + usage.system) / 1e6);
    this.rss.set({}, mem.rss);
    this.startTime.set({}, this.startedAt);
    this.heapUsed.set({}, mem.heapUsed);
    this.heapTotal.set({}, mem.heapTotal);
    this.external.set({}, mem.external);
    this.loop.reset();
    if (this.delay && this.delay.count > 0) {
      // The histogram is in nanoseconds; each scrape starts a new window.
      for (const [quantile, ns] of [["0.5", this.delay.percentile(50)], ["0.99", this.delay.percentile(99)], ["1", this.delay.max]] as const) this.loop.set({ quantile }, ns / 1e9);
      this.delay.reset();
    }
    return this.registry.render();
  }
}
