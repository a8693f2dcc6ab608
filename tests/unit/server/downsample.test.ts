import { describe, expect, it } from "vitest";
import { HISTORY_RANGES } from "../../../protocol/live";
import { bucketMsFor, MAX_POINTS_PER_SERIES, pointsFromBuckets, type Bucket } from "../../../server/core/downsample";
import { RANGE_MS, resolutionFor } from "../../../server/core/history";

type F = "util" | "mem";
const FIELDS = ["util", "mem"] as const;
const bucket = (firstTs: number, lastTs: number, min: [number | null, number | null], max: [number | null, number | null]): Bucket<F> => ({
  firstTs, lastTs, min: { util: min[0], mem: min[1] }, max: { util: max[0], mem: max[1] },
});

describe("bucketMsFor", () => {
  it("leaves ranges a chart can draw as they are", () => {
    expect(bucketMsFor(5 * 60_000, 1000)).toBeNull(); // 300 rows
    expect(bucketMsFor(24 * 3600_000, 60_000)).toBeNull(); // 1440 rows
  });

  it("keeps every range within the point bound, at two points per bucket, a whole number of rows wide", () => {
    for (const range of HISTORY_RANGES) {
      const resolutionMs = resolutionFor(range) * 1000;
      const bucketMs = bucketMsFor(RANGE_MS[range], resolutionMs);
      if (bucketMs === null) {
        expect(RANGE_MS[range] / resolutionMs + 1).toBeLessThanOrEqual(MAX_POINTS_PER_SERIES);
        continue;
      }
      expect(bucketMs % resolutionMs).toBe(0);
      // An unaligned range touches one partial bucket more than it spans.
      const buckets = Math.ceil(RANGE_MS[range] / bucketMs) + 1;
      expect(2 * buckets).toBeLessThanOrEqual(MAX_POINTS_PER_SERIES);
    }
    // 30 days of minute rows: ~58-minute buckets, not the 43,200 rows.
    expect(bucketMsFor(30 * 24 * 3600_000, 60_000)).toBe(58 * 60_000);
  });

  it("holds for other bounds too, and refuses one too small to make a bucket", () => {
    for (const max of [4, 10, 101, 800, 5000]) {
      const bucketMs = bucketMsFor(7 * 24 * 3600_000, 60_000, max)!;
      expect(2 * (Math.ceil((7 * 24 * 3600_000) / bucketMs) + 1)).toBeLessThanOrEqual(max);
    }
    expect(() => bucketMsFor(3600_000, 1000, 3)).toThrow(/at least 4/);
  });
});

describe("pointsFromBuckets", () => {
  it("keeps a one-sample spike: a bucket's high survives beside its low", () => {
    const points = pointsFromBuckets([bucket(0, 3_540_000, [12, 8000], [100, 24000])], FIELDS);
    expect(points).toEqual([
      { ts: 0, util: 12, mem: 8000 },
      { ts: 3_540_000, util: 100, mem: 24000 },
    ]);
  });

  it("draws a bucket of one sample (or one flat value) as one point", () => {
    expect(pointsFromBuckets([bucket(60_000, 60_000, [40, 1], [40, 1])], FIELDS)).toEqual([{ ts: 60_000, util: 40, mem: 1 }]);
  });

  it("keeps null where a bucket had no value for a field, and the other field's values", () => {
    expect(pointsFromBuckets([bucket(0, 60_000, [null, 5], [null, 9])], FIELDS)).toEqual([
      { ts: 0, util: null, mem: 5 },
      { ts: 60_000, util: null, mem: 9 },
    ]);
  });

  it("returns nothing for an empty range, and points in time order for many buckets", () => {
    expect(pointsFromBuckets([], FIELDS)).toEqual([]);
    const many = Array.from({ length: 50 }, (_, i) => bucket(i * 100, i * 100 + 60, [i, i], [i + 1, i + 1]));
    const ts = pointsFromBuckets(many, FIELDS).map((p) => p.ts);
    expect(ts).toHaveLength(100);
    expect([...ts].sort((a, b) => a - b)).toEqual(ts);
  });
});
