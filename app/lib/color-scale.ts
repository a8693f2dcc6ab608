/**
 * Green -> amber -> red for "how hot is this": utilisation, temperature, memory and power share.
 * Returns a CSS colour; pure so the thresholds are testable.
 */

export type Level = "ok" | "warm" | "hot" | "none";

export interface Thresholds {
  /** At or above: amber. */
  warm: number;
  /** At or above: red. */
  hot: number;
}

export const UTIL_THRESHOLDS: Thresholds = { warm: 60, hot: 90 };
export const TEMP_THRESHOLDS: Thresholds = { warm: 70, hot: 83 };
export const MEM_THRESHOLDS: Thresholds = { warm: 75, hot: 92 };
export const POWER_THRESHOLDS: Thresholds = { warm: 75, hot: 95 };

export function level(value: number | null | undefined, t: Thresholds): Level {
  if (typeof value !== "number" || !Number.isFinite(value)) return "none";
  if (value >= t.hot) return "hot";
  if (value >= t.warm) return "warm";
  return "ok";
}

/** CSS variable for a level, as defined in app/styles/tokens.css. */
export function levelColor(l: Level): string {
  switch (l) {
    case "ok":
      return "var(--ok)";
    case "warm":
      return "var(--warn)";
    case "hot":
      return "var(--bad)";
    default:
      return "var(--faint)";
  }
}

export function scaleColor(value: number | null | undefined, t: Thresholds): string {
  return levelColor(level(value, t));
}
