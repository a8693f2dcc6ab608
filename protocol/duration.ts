/**
 * Durations as people write them in the config file and the dashboard ("30s", "5m", "1h30m",
 * "2d"), to milliseconds and back. A bare number is seconds.
 */
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const PART = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/g;
export const DURATION_PATTERN = /^(?:\d+(?:\.\d+)?(?:ms|s|m|h|d))+$/;

/** Milliseconds, or null when the text is not a duration. */
export function parseDuration(text: string | number): number | null {
  if (typeof text === "number") return Number.isFinite(text) && text >= 0 ? Math.round(text * 1000) : null;
  const t = text.trim();
  if (/^\d+(\.\d+)?$/.test(t)) return Math.round(Number(t) * 1000);
  if (!DURATION_PATTERN.test(t)) return null;
  let ms = 0;
  for (const m of t.matchAll(PART)) ms += Number(m[1]) * UNIT_MS[m[2]!]!;
  return Math.round(ms);
}

/** 90_000 → "1m30s"; 0 → "0s". */
export function formatDuration(ms: number): string {
  if (ms <= 0) return "0s";
  if (ms < 1000) return `${ms}ms`;
  let rest = Math.round(ms / 1000);
  const out: string[] = [];
  for (const [unit, s] of [["d", 86_400], ["h", 3600], ["m", 60], ["s", 1]] as const) {
    if (rest >= s) {
      out.push(`${Math.floor(rest / s)}${unit}`);
      rest %= s;
    }
  }
  return out.join("");
}
