/**
 * Pure downsampling: folds 1 s samples into one row per key and minute (mean of utilisation,
 * temperature and power; peak of memory, since a short VRAM spike is what runs a GPU out of memory).
 * Null inputs are skipped; a minute with no value for a field keeps null.
 */
export interface Values {
  [field: string]: number | null | undefined;
}

interface Bucket {
  minute: number;
  sums: Map<string, { sum: number; n: number; max: number }>;
}

export interface RolledRow {
  key: string;
  ts: number;
  values: Record<string, number | null>;
}

export const MINUTE_MS = 60_000;

export class MinuteRollup {
  private readonly buckets = new Map<string, Bucket>();

  constructor(private readonly peakFields: ReadonlySet<string>) {}

  /** Adds a sample; returns the finished row of the previous minute when this sample starts a new one. */
  add(key: string, ts: number, values: Values): RolledRow | null {
    const minute = Math.floor(ts / MINUTE_MS) * MINUTE_MS;
    let bucket = this.buckets.get(key);
    let finished: RolledRow | null = null;
    if (bucket && minute > bucket.minute) {
      finished = this.close(key, bucket);
      bucket = undefined;
    }
    if (bucket && minute < bucket.minute) return null; // late sample for a closed minute: dropped
    if (!bucket) {
      bucket = { minute, sums: new Map() };
      this.buckets.set(key, bucket);
    }
    for (const field in values) {
      const v = values[field];
      if (v === null || v === undefined || !Number.isFinite(v)) {
        if (!bucket.sums.has(field)) bucket.sums.set(field, { sum: 0, n: 0, max: -Infinity });
        continue;
      }
      const acc = bucket.sums.get(field);
      if (acc) {
        acc.sum += v;
        acc.n += 1;
        if (v > acc.max) acc.max = v;
      } else {
        bucket.sums.set(field, { sum: v, n: 1, max: v });
      }
    }
    return finished;
  }

  /** Drops open minutes of keys that no longer exist (a removed node's GPUs). */
  forget(keys: Iterable<string>): void {
    for (const k of keys) this.buckets.delete(k);
  }

  /** Closes every open minute (at shutdown), returning their rows. */
  drain(): RolledRow[] {
    const rows = [...this.buckets].map(([key, b]) => this.close(key, b));
    this.buckets.clear();
    return rows;
  }

  private close(key: string, bucket: Bucket): RolledRow {
    const values: Record<string, number | null> = {};
    for (const [field, acc] of bucket.sums) {
      values[field] = acc.n === 0 ? null : this.peakFields.has(field) ? acc.max : acc.sum / acc.n;
    }
    return { key, ts: bucket.minute, values };
  }
}
