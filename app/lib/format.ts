/**
 * Pure display formatting for the dashboard. Every formatter takes `null` (a value nvidia-smi could
 * not report) and shows it as an em dash, never as 0.
 */

export const MISSING = "—";

const KIB = 1024;
const UNITS = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"] as const;

function isNum(v: number | null | undefined): v is number {
  return typeof v === "number" && Number.isFinite(v);
}

/** Digits that keep about three significant figures: 1.23, 12.3, 123. */
function compact(v: number): string {
  const abs = Math.abs(v);
  if (abs >= 100 || v === 0) return Math.round(v).toString();
  if (abs >= 10) return v.toFixed(1);
  return v.toFixed(2);
}

/** Bytes in IEC units: 0 B, 512 B, 1.50 KiB, 62.7 GiB, 1.02 TiB. */
export function formatBytes(bytes: number | null | undefined): string {
  if (!isNum(bytes)) return MISSING;
  if (Math.abs(bytes) < KIB) return `${Math.round(bytes)} B`;
  let v = bytes;
  let unit = 0;
  while (Math.abs(v) >= KIB && unit < UNITS.length - 1) {
    v /= KIB;
    unit++;
  }
  return `${compact(v)} ${UNITS[unit]}`;
}

/** MiB (as nvidia-smi reports memory) as GiB with one decimal: 81559 -> "79.6". No unit. */
export function mibToGiB(mib: number | null | undefined): string {
  if (!isNum(mib)) return MISSING;
  return (mib / KIB).toFixed(1);
}

/** "16.6 / 79.6 GiB"; either side may be missing. */
export function formatMiBPair(used: number | null | undefined, total: number | null | undefined): string {
  return `${mibToGiB(used)} / ${mibToGiB(total)} GiB`;
}

/** "1,234 MiB" for per-process memory. */
export function formatMiB(mib: number | null | undefined): string {
  if (!isNum(mib)) return MISSING;
  return `${Math.round(mib).toLocaleString("en-US")} MiB`;
}

/** A rate in bytes per second: "0 B/s", "1.20 MiB/s". */
export function formatRate(bytesPerSec: number | null | undefined): string {
  if (!isNum(bytesPerSec)) return MISSING;
  return `${formatBytes(bytesPerSec)}/s`;
}

/** Whole percent for values people read at a glance ("98%"); one decimal below 10 when asked. */
export function formatPercent(pct: number | null | undefined, opts: { decimals?: number } = {}): string {
  if (!isNum(pct)) return MISSING;
  return `${pct.toFixed(opts.decimals ?? 0)}%`;
}

/** used / total as a percentage, or null when either side is unknown or total is 0. */
export function ratioPct(used: number | null | undefined, total: number | null | undefined): number | null {
  if (!isNum(used) || !isNum(total) || total <= 0) return null;
  return Math.min(100, Math.max(0, (used / total) * 100));
}

export function formatWatts(w: number | null | undefined): string {
  if (!isNum(w)) return MISSING;
  return `${w >= 100 ? Math.round(w) : w.toFixed(1)} W`;
}

/** "295 / 700 W"; the limit side may be missing. */
export function formatPowerPair(w: number | null | undefined, limit: number | null | undefined): string {
  const draw = isNum(w) ? (w >= 100 ? Math.round(w).toString() : w.toFixed(1)) : MISSING;
  const lim = isNum(limit) ? Math.round(limit).toString() : MISSING;
  return `${draw} / ${lim} W`;
}

export function formatTemp(c: number | null | undefined): string {
  if (!isNum(c)) return MISSING;
  return `${Math.round(c)}°C`;
}

/**
 * How long ago `ts` was, relative to `now` (both ms since the epoch): "just now", "42s ago",
 * "5m ago", "3h ago", "2d ago". Timestamps slightly in the future (clock skew between agent and
 * browser) read as "just now".
 */
export function formatRelativeTime(ts: number | null | undefined, now: number): string {
  if (!isNum(ts)) return "never";
  const s = Math.floor((now - ts) / 1000);
  if (s < 2) return "just now";
  if (s < 60) return `${s}s ago`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ago`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h}h ago`;
  return `${Math.floor(h / 24)}d ago`;
}

/** A span of seconds, short: "5 s", "58 min", "2.5 h". */
export function formatSpan(seconds: number): string {
  if (seconds < 120) return `${Math.round(seconds)} s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)} min`;
  return `${(seconds / 3600).toFixed(1).replace(/\.0$/, "")} h`;
}

/** Mean of the values that are known; null when none are. */
export function meanKnown(values: ReadonlyArray<number | null | undefined>): number | null {
  let sum = 0;
  let n = 0;
  for (const v of values) {
    if (isNum(v)) {
      sum += v;
      n++;
    }
  }
  return n === 0 ? null : sum / n;
}

/** Sum of the values that are known; null when none are. */
export function sumKnown(values: ReadonlyArray<number | null | undefined>): number | null {
  let sum = 0;
  let any = false;
  for (const v of values) {
    if (isNum(v)) {
      sum += v;
      any = true;
    }
  }
  return any ? sum : null;
}
