import { describe, expect, it } from "vitest";
import type { GpuPoint } from "../../../protocol/live";
import { gpuGap, mergeWindow, TimeRing, withGaps } from "../../../app/lib/series";

const pt = (ts: number, util: number | null = 50): GpuPoint => ({ ts, utilGpuPct: util, memUsedMiB: 1000, tempC: 60, powerW: 200 });

describe("withGaps", () => {
  it("inserts a null row where samples stop, so charts show the outage instead of a line across it", () => {
    const out = withGaps([pt(0), pt(1000), pt(60_000)], 5000, gpuGap);
    expect(out.map((p) => p.utilGpuPct)).toEqual([50, 50, null, 50]);
    expect(out[2]?.ts).toBe(1001);
  });

  it("keeps null values as null (unavailable is not 0) and drops duplicates and reordering", () => {
    const out = withGaps([pt(0, null), pt(1000), pt(1000, 70), pt(500)], 5000, gpuGap);
    expect(out.map((p) => [p.ts, p.utilGpuPct])).toEqual([
      [0, null],
      [1000, 70],
    ]);
  });
});

describe("TimeRing", () => {
  it("keeps about its window and ignores stale samples", () => {
    const ring = new TimeRing<GpuPoint>(60_000, 5000, gpuGap);
    for (let t = 0; t <= 200_000; t += 1000) ring.push(pt(t));
    expect(ring.push(pt(100))).toBe(false);
    const first = ring.all()[0]?.ts ?? 0;
    expect(first).toBeGreaterThanOrEqual(200_000 - 60_000 - 32_000);
    expect(ring.lastTs).toBe(200_000);
  });

  it("puts seeded history before the live samples it already has", () => {
    const ring = new TimeRing<GpuPoint>(600_000, 5000, gpuGap);
    ring.push(pt(10_000, 90));
    ring.push(pt(11_000, 91));
    ring.seed([pt(7_000, 1), pt(8_000, 2), pt(9_000, 3), pt(10_000, 4)]);
    expect(ring.all().map((p) => p.utilGpuPct)).toEqual([1, 2, 3, 90, 91]);
    expect(ring.since(10_000).map((p) => p.ts)).toEqual([11_000]);
  });

  it("marks a gap when the live stream resumes after an outage", () => {
    const ring = new TimeRing<GpuPoint>(600_000, 5000, gpuGap);
    ring.push(pt(0));
    ring.push(pt(30_000));
    expect(ring.all().map((p) => p.utilGpuPct)).toEqual([50, null, 50]);
  });
});

describe("mergeWindow", () => {
  it("appends live samples newer than the fetched history and clips to the range", () => {
    const ring = new TimeRing<GpuPoint>(600_000, 5000, gpuGap);
    for (const t of [58_000, 59_000, 60_000, 61_000, 62_000]) ring.push(pt(t, t / 1000));
    const history = [pt(0), pt(30_000), pt(59_000, 59)];
    const out = mergeWindow(history, ring, 40_000, 62_000, 5000, gpuGap);
    expect(out.map((p) => p.ts)).toEqual([30_000, 30_001, 59_000, 60_000, 61_000, 62_000]);
    expect(out[1]?.utilGpuPct).toBeNull();
  });
});
