/**
 * Time series helpers for charts: gap rows where samples are missing (so uPlot draws a gap instead
 * of bridging an outage), a bounded ring of recent live samples, and the merge of fetched history
 * with what the live stream appended since.
 */
import type { GpuPoint, HostPoint } from "../../protocol/live";

export interface Timed {
  ts: number;
}

export function gpuGap(ts: number): GpuPoint {
  return { ts, utilGpuPct: null, memUsedMiB: null, tempC: null, powerW: null };
}

export function hostGap(ts: number): HostPoint {
  return { ts, cpuPct: null, memUsedBytes: null };
}

/** A row whose every value is null: what withGaps inserts. */
export function isGapRow(p: object): boolean {
  return Object.entries(p).every(([k, v]) => k === "ts" || v === null);
}

/**
 * Sorted points with a null row wherever two neighbours are more than `maxGapMs` apart (an agent
 * that was offline, a server restart). Drops out-of-order points and keeps the later of two rows
 * with the same timestamp.
 */
export function withGaps<P extends Timed>(points: readonly P[], maxGapMs: number, gap: (ts: number) => P): P[] {
  const out: P[] = [];
  let prev: P | undefined;
  for (const p of points) {
    if (prev && p.ts <= prev.ts) {
      if (p.ts === prev.ts) out[out.length - 1] = p;
      continue;
    }
    if (prev && p.ts - prev.ts > maxGapMs && !isGapRow(prev)) out.push(gap(prev.ts + 1));
    out.push(p);
    prev = p;
  }
  return out;
}

/** How far apart two samples may be before a chart shows a gap. */
export function gapThresholdMs(resolutionS: number): number {
  return Math.max(5_000, resolutionS * 1000 * 3);
}

/**
 * A bounded, time-windowed buffer of recent samples, appended to from the live stream and seeded
 * from history. Holds about `windowMs` of data.
 */
export class TimeRing<P extends Timed> {
  private points: P[] = [];
  /** Bumped on every change so React can subscribe cheaply. */
  version = 0;

  constructor(
    readonly windowMs: number,
    private readonly maxGapMs: number,
    private readonly gap: (ts: number) => P,
  ) {}

  get size(): number {
    return this.points.length;
  }

  get lastTs(): number | null {
    return this.points.at(-1)?.ts ?? null;
  }

  /** Appends a live sample; ignores samples not newer than the last one. */
  push(p: P): boolean {
    const last = this.points.at(-1);
    if (last && p.ts <= last.ts) return false;
    if (last && p.ts - last.ts > this.maxGapMs && !isGapRow(last)) this.points.push(this.gap(last.ts + 1));
    this.points.push(p);
    this.trim(p.ts);
    this.version++;
    return true;
  }

  /** Merges history older than what the live stream already delivered. */
  seed(history: readonly P[]): void {
    const first = this.points[0]?.ts ?? Number.POSITIVE_INFINITY;
    const older = history.filter((p) => p.ts < first);
    if (older.length === 0) return;
    this.points = withGaps([...older, ...this.points], this.maxGapMs, this.gap);
    const last = this.points.at(-1);
    if (last) this.trim(last.ts);
    this.version++;
  }

  /** Points with ts strictly after `ts` (all when null). */
  since(ts: number | null): P[] {
    if (ts === null) return this.points.slice();
    // Sorted: scan from the end, the common case is a handful of new points.
    let i = this.points.length;
    while (i > 0 && (this.points[i - 1]?.ts ?? 0) > ts) i--;
    return this.points.slice(i);
  }

  all(): readonly P[] {
    return this.points;
  }

  private trim(newest: number): void {
    const cutoff = newest - this.windowMs;
    let drop = 0;
    while (drop < this.points.length && (this.points[drop]?.ts ?? 0) < cutoff) drop++;
    // Drop in batches: splicing one element per sample would copy the array every second.
    if (drop >= 32 || (drop > 0 && drop === this.points.length)) this.points.splice(0, drop);
  }
}

/**
 * The points a chart of `rangeMs` ending at `endTs` shows: fetched history, then whatever the live
 * ring holds after the newest history point, with gaps marked.
 */
export function mergeWindow<P extends Timed>(
  history: readonly P[],
  live: TimeRing<P> | null,
  rangeMs: number,
  endTs: number,
  maxGapMs: number,
  gap: (ts: number) => P,
): P[] {
  const lastHistory = history.at(-1)?.ts ?? null;
  const tail = live ? live.since(lastHistory) : [];
  const cutoff = endTs - rangeMs;
  const inWindow = (p: P) => p.ts >= cutoff;
  return withGaps([...history.filter(inWindow), ...tail.filter(inWindow)], maxGapMs, gap);
}
