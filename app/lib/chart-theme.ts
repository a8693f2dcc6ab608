/**
 * Colours for canvas charts. uPlot draws on a canvas, which cannot read CSS variables, so these
 * mirror the palette in app/styles/tokens.css.
 */
export const chartTheme = {
  axis: "#7d8898",
  grid: "rgba(148, 163, 184, 0.09)",
  font: '11px system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif',
} as const;

export const seriesColors = {
  util: "#4fa3ff",
  vram: "#a68bff",
  temp: "#ff9f5a",
  power: "#f2cc60",
  cpu: "#4fd1c5",
  mem: "#a68bff",
} as const;

/** `#rrggbb` -> `rgba(r, g, b, alpha)` for area fills under a line. */
export function withAlpha(hex: string, alpha: number): string {
  const n = Number.parseInt(hex.slice(1), 16);
  return `rgba(${(n >> 16) & 255}, ${(n >> 8) & 255}, ${n & 255}, ${alpha})`;
}
