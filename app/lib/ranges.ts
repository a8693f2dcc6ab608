import type { HistoryRange } from "../../protocol/live";

const MIN = 60_000;
const HOUR = 60 * MIN;

export const RANGE_MS: Record<HistoryRange, number> = {
  "5m": 5 * MIN,
  "15m": 15 * MIN,
  "1h": HOUR,
  "6h": 6 * HOUR,
  "24h": 24 * HOUR,
  "7d": 7 * 24 * HOUR,
  "30d": 30 * 24 * HOUR,
};

/** Ranges served at 1 s resolution: charts append live samples to them. */
export function isLiveRange(r: HistoryRange): boolean {
  return RANGE_MS[r] <= HOUR;
}

/** How often to refetch a range's history: the live stream covers short ranges in between. */
export function refetchMs(r: HistoryRange): number {
  return isLiveRange(r) ? 60_000 : r === "6h" || r === "24h" ? 60_000 : 5 * MIN;
}

export function parseRange(s: string | null | undefined, fallback: HistoryRange): HistoryRange {
  return s && s in RANGE_MS ? (s as HistoryRange) : fallback;
}
