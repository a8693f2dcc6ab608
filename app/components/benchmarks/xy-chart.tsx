"use client";
/**
 * A small uPlot line chart over concurrency (not time): one line per series, points marked, x on a
 * log₂ scale (1, 2, 4 … 64). Rebuilt when its data changes: a benchmark has a handful of points.
 */
import { useEffect, useRef } from "react";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import { chartTheme } from "../../lib/chart-theme";
import { axisStyle, followWidth } from "../../lib/uplot-fit";
import chart from "../time-chart.module.css";

export interface XySeries {
  label: string;
  color: string;
  dash?: boolean;
  /** One value per x (null: no point). */
  values: (number | null)[];
}

export function XyChart({ xs, series, height = 220, unit, testId }: { xs: number[]; series: XySeries[]; height?: number; unit: string; testId?: string }) {
  const wrap = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = wrap.current;
    if (!el || xs.length === 0) return;
    const axis = axisStyle;
    const fmt = (v: number | null | undefined) => (v === null || v === undefined ? "—" : `${v >= 100 ? Math.round(v) : v.toFixed(1)} ${unit}`);
    const plot = new uPlot({
      width: Math.max(100, el.clientWidth),
      height,
      padding: [10, 14, 0, 0],
      legend: { show: true, live: true },
      cursor: { drag: { x: false, y: false, setScale: false }, points: { size: 6 } },
      scales: { x: { time: false, distr: xs.length > 1 && xs[0]! > 0 ? 3 : 1, log: 2 }, y: { range: (_u, _min, max) => [0, (max ?? 1) * 1.1 || 1] } },
      axes: [
        { ...axis, label: "concurrency", labelFont: chartTheme.font, labelSize: 14, values: (_u, vals) => vals.map((v) => String(v)) },
        { ...axis, size: 56, values: (_u, vals) => vals.map((v) => (v >= 1000 ? `${(v / 1000).toFixed(1)}k` : String(v))) },
      ],
      series: [
        { label: "concurrency", value: (_u, v) => (v === null ? "—" : String(v)) },
        ...series.map<uPlot.Series>((s) => ({ label: s.label, stroke: s.color, width: 1.5, dash: s.dash ? [5, 4] : undefined, points: { show: true, size: 6 }, spanGaps: true, value: (_u, v) => fmt(v) })),
      ],
    }, [xs, ...series.map((s) => s.values)] as uPlot.AlignedData, el);
    const unfollow = followWidth(plot, el, height);
    return () => {
      unfollow();
      plot.destroy();
    };
  }, [xs, series, height, unit]);
  return <div ref={wrap} className={chart.chart} data-testid={testId} style={{ minHeight: height }} />;
}
