/**
 * Downsampling of long history ranges, pure. A chart is a few hundred pixels wide: 30 days of
 * minute rows (43,200 per series) cost the server, the wire and the browser a hundred times what
 * can be drawn. Rows are folded into fixed time buckets (aligned to the epoch, so a refetch draws
 * the same shape) keeping each bucket's minimum and maximum, so a one-minute spike to 100 % or a
 * VRAM peak survives: the chart draws each bucket as a vertical stroke from its low to its high.
 */

/** Points per series a history answer holds at most (two per bucket): 1–2 per pixel of a wide chart. */
export const MAX_POINTS_PER_SERIES = 1500;

/**
 * One bucket's aggregate, as the database computes it: its first and last sample time, and per
 * field the lowest and highest known value (null when every sample had none).
 */
export interface Bucket<F extends string> {
  firstTs: number;
  lastTs: number;
  min: Record<F, number | null>;
  max: Record<F, number | null>;
}

export type Point<F extends string> = { ts: number } & Record<F, number | null>;

/**
 * Whether a range at a resolution would exceed `maxPoints` per series, and if so the bucket width:
 * the smallest multiple of the resolution whose buckets over the range (one partial bucket more,
 * as the range need not start on a bucket boundary) hold two points each within `maxPoints`.
 * Null: serve the rows as they are.
 */
export function bucketMsFor(rangeMs: number, resolutionMs: number, maxPoints = MAX_POINTS_PER_SERIES): number | null {
  if (rangeMs / resolutionMs + 1 <= maxPoints) return null;
  const buckets = Math.floor(maxPoints / 2) - 1;
  if (buckets < 1) throw new RangeError(`maxPoints must be at least 4 (got ${maxPoints})`);
  return Math.ceil(rangeMs / buckets / resolutionMs) * resolutionMs;
}

/**
 * A bucket as at most two points: its low values at its first sample, its high values at its last
 * (one point when both coincide). Buckets must come in time order.
 */
export function pointsFromBuckets<F extends string>(buckets: readonly Bucket<F>[], fields: readonly F[]): Point<F>[] {
  const out: Point<F>[] = [];
  for (const b of buckets) {
    const low = { ts: b.firstTs } as Point<F>;
    let same = b.firstTs === b.lastTs;
    for (const f of fields) {
      (low as Record<F, number | null>)[f] = b.min[f];
      if (b.min[f] !== b.max[f]) same = false;
    }
    out.push(low);
    if (same) continue;
    const high = { ts: b.lastTs } as Point<F>;
    for (const f of fields) (high as Record<F, number | null>)[f] = b.max[f];
    out.push(high);
  }
  return out;
}
