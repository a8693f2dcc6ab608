/**
 * What the DevTools protocol says about a page: main-thread task time, JS heap, DOM size, and a
 * CPU profile on request. `TaskDuration` is the renderer main thread's busy time, in seconds.
 */
import fs from "node:fs";
import type { CDPSession, Page } from "playwright-core";

export interface PageMetrics {
  at: number;
  taskS: number;
  scriptS: number;
  layoutS: number;
  styleS: number;
  heapUsed: number;
  nodes: number;
  listeners: number;
}

export class PageProbe {
  private constructor(private readonly cdp: CDPSession) {}

  static async attach(page: Page): Promise<PageProbe> {
    const cdp = await page.context().newCDPSession(page);
    await cdp.send("Performance.enable", { timeDomain: "timeTicks" });
    return new PageProbe(cdp);
  }

  async metrics(): Promise<PageMetrics> {
    const { metrics } = await this.cdp.send("Performance.getMetrics");
    const m = new Map(metrics.map((x) => [x.name, x.value]));
    const get = (k: string) => m.get(k) ?? 0;
    return {
      at: performance.now(), taskS: get("TaskDuration"), scriptS: get("ScriptDuration"), layoutS: get("LayoutDuration"),
      styleS: get("RecalcStyleDuration"), heapUsed: get("JSHeapUsedSize"), nodes: get("Nodes"), listeners: get("JSEventListeners"),
    };
  }

  /** Heap after a full collection: what the page really holds. */
  async heapAfterGc(): Promise<PageMetrics> {
    await this.cdp.send("HeapProfiler.enable");
    await this.cdp.send("HeapProfiler.collectGarbage");
    await this.cdp.send("HeapProfiler.disable");
    return this.metrics();
  }

  async startProfile(): Promise<void> {
    await this.cdp.send("Profiler.enable");
    await this.cdp.send("Profiler.setSamplingInterval", { interval: 500 });
    await this.cdp.send("Profiler.start");
  }

  /** Stops the profile, writes it as a .cpuprofile (open in DevTools) and returns the hottest functions by self time. */
  async stopProfile(file: string): Promise<string[]> {
    const { profile } = await this.cdp.send("Profiler.stop");
    await this.cdp.send("Profiler.disable");
    fs.writeFileSync(file, JSON.stringify(profile));
    return topSelfTime(profile as unknown as CpuProfile, 12);
  }
}

interface CpuProfile {
  nodes: Array<{ id: number; callFrame: { functionName: string; url: string; lineNumber: number }; hitCount?: number }>;
  samples?: number[];
  timeDeltas?: number[];
}

function topSelfTime(profile: CpuProfile, n: number): string[] {
  const total = profile.nodes.reduce((a, x) => a + (x.hitCount ?? 0), 0) || 1;
  const byFn = new Map<string, number>();
  for (const node of profile.nodes) {
    const f = node.callFrame;
    const key = `${f.functionName || "(anonymous)"} ${f.url.split("/").slice(-1)[0] ?? ""}:${f.lineNumber + 1}`;
    byFn.set(key, (byFn.get(key) ?? 0) + (node.hitCount ?? 0));
  }
  return [...byFn].sort((a, b) => b[1] - a[1]).slice(0, n).map(([k, v]) => `${((v / total) * 100).toFixed(1).padStart(5)} %  ${k}`);
}

/**
 * The renderer main thread's time by trace event name (nested events counted in their own and
 * their parent's rows): where "(program)" in a CPU profile goes — style, layout, paint, commit.
 */
export function mainThreadBreakdown(traceJson: string, n = 15): string[] {
  const events = (JSON.parse(traceJson) as { traceEvents: Array<{ name: string; ph: string; dur?: number; pid: number; tid: number; args?: { name?: string } }> }).traceEvents;
  const main = events.filter((e) => e.ph === "M" && e.name === "thread_name" && e.args?.name === "CrRendererMain").map((e) => `${e.pid}:${e.tid}`);
  const byName = new Map<string, number>();
  for (const e of events) {
    if (e.ph !== "X" || !e.dur || !main.includes(`${e.pid}:${e.tid}`)) continue;
    byName.set(e.name, (byName.get(e.name) ?? 0) + e.dur);
  }
  return [...byName].sort((a, b) => b[1] - a[1]).slice(0, n).map(([k, us]) => `${(us / 1000).toFixed(0).padStart(7)} ms  ${k}`);
}
