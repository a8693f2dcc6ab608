/** What every uPlot chart of the dashboard shares: its axes' look, and following its container's width. */
import type uPlot from "uplot";
import { chartTheme } from "./chart-theme";

export const axisStyle = {
  stroke: chartTheme.axis,
  font: chartTheme.font,
  grid: { stroke: chartTheme.grid, width: 1 },
  ticks: { stroke: chartTheme.grid, width: 1, size: 4 },
} as const;

/** Resizes the chart with its container; returns the function that stops it. */
export function followWidth(plot: uPlot, el: HTMLElement, height: number): () => void {
  const ro = new ResizeObserver((entries) => {
    const w = Math.floor(entries[0]?.contentRect.width ?? 0);
    if (w > 0 && w !== plot.width) plot.setSize({ width: w, height });
  });
  ro.observe(el);
  return () => ro.disconnect();
}
