"use client";
/**
 * A uPlot time chart that fills its container's width and follows it on resize. Create once per
 * series layout; new `data` only calls setData (no React work inside the canvas). Nulls in the
 * data are drawn as gaps.
 */
import { memo, useEffect, useRef } from "react";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import { chartTheme, withAlpha } from "../lib/chart-theme";
import { axisStyle, followWidth } from "../lib/uplot-fit";
import { cx } from "../lib/cx";
import styles from "./time-chart.module.css";

export interface ChartSeries {
  label: string;
  color: string;
  /** Area under the line; off by default. */
  fill?: boolean;
}

export type YRange = readonly [number, number] | ((min: number | null, max: number | null) => [number, number]);

export interface TimeChartProps {
  /** [x (seconds), ...one column per series]. */
  data: uPlot.AlignedData;
  series: readonly ChartSeries[];
  height: number;
  yRange?: YRange;
  /** Fixed x window in seconds, so a short series still sits at the right end of the range. */
  xRange?: readonly [number, number];
  formatValue?: (v: number) => string;
  /** Sparkline mode: no axes, legend or cursor. */
  compact?: boolean;
  testId?: string;
  ariaLabel?: string;
}

/** Y axis as wide as its longest label (uPlot's default is a fixed 50 px, which clips "2000 GiB"). */
function axisWidth(self: uPlot, values: string[] | null, axisIdx: number, cycleNum: number): number {
  const axis = self.axes[axisIdx];
  const prev = (axis as { _size?: number } | undefined)?._size;
  if (cycleNum > 1 && prev !== undefined) return prev;
  const longest = (values ?? []).reduce((acc, v) => (v.length > acc.length ? v : acc), "");
  self.ctx.font = chartTheme.font;
  const text = longest ? self.ctx.measureText(longest).width : 0;
  return Math.ceil(text + 4 /* tick */ + 8 /* gap */ + 4);
}

function defaultFormat(v: number): string {
  return Number.isInteger(v) ? String(v) : v.toFixed(1);
}

function TimeChartImpl(props: TimeChartProps) {
  const { data, series, height, compact = false, testId, ariaLabel } = props;
  const wrapRef = useRef<HTMLDivElement>(null);
  const plotRef = useRef<uPlot | null>(null);
  // The latest props, read by uPlot callbacks without recreating the chart.
  const latest = useRef(props);
  latest.current = props;

  const layoutKey = `${compact ? "c" : "f"}|${height}|${series.map((s) => `${s.label}:${s.color}:${s.fill ? 1 : 0}`).join(",")}`;

  useEffect(() => {
    const wrap = wrapRef.current;
    if (!wrap) return;
    const fmt = (v: number | null | undefined) =>
      v === null || v === undefined ? "—" : (latest.current.formatValue ?? defaultFormat)(v);
    const axisBase = axisStyle;
    const opts: uPlot.Options = {
      width: Math.max(50, Math.floor(wrap.clientWidth)),
      height,
      padding: compact ? [2, 0, 2, 0] : [10, 10, 0, 0],
      legend: { show: !compact, live: true },
      cursor: compact ? { show: false } : { drag: { x: false, y: false, setScale: false }, points: { size: 6 } },
      select: { show: false, left: 0, top: 0, width: 0, height: 0 },
      scales: {
        x: {
          time: true,
          range: (_u, min, max) => {
            const xr = latest.current.xRange;
            return xr ? [xr[0], xr[1]] : [min, max];
          },
        },
        y: {
          range: (_u, min, max) => {
            const yr = latest.current.yRange;
            if (typeof yr === "function") return yr(min ?? null, max ?? null);
            if (yr) return [yr[0], yr[1]];
            const lo = min ?? 0;
            const hi = max ?? 1;
            return lo === hi ? [lo - 1, hi + 1] : [Math.min(0, lo), hi * 1.1];
          },
        },
      },
      axes: compact
        ? [{ show: false }, { show: false }]
        : [
            { ...axisBase, space: 70 },
            { ...axisBase, size: axisWidth, space: 28, values: (_u, vals) => vals.map((v) => fmt(v)) },
          ],
      // Which data the canvas shows, for tests and the dashboard bench ("the 30-day charts are drawn").
      hooks: compact ? {} : { draw: [(u) => void (wrap.dataset.drawnFrom = String(u.data[0]?.[0] ?? ""))] },
      series: [
        { value: (_u, v) => (v === null ? "—" : new Date(v * 1000).toLocaleTimeString()) },
        ...series.map<uPlot.Series>((s) => ({
          label: s.label,
          stroke: s.color,
          width: compact ? 1.25 : 1.5,
          fill: s.fill ? withAlpha(s.color, compact ? 0.14 : 0.1) : undefined,
          spanGaps: false,
          points: { show: false },
          value: (_u, v) => fmt(v),
        })),
      ],
    };
    const plot = new uPlot(opts, latest.current.data, wrap);
    plotRef.current = plot;
    const unfollow = followWidth(plot, wrap, height);
    return () => {
      unfollow();
      plot.destroy();
      plotRef.current = null;
    };
    // layoutKey captures everything that needs a new chart; the rest is read through `latest`.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [layoutKey]);

  useEffect(() => {
    plotRef.current?.setData(data);
  }, [data]);

  return (
    <div
      ref={wrapRef}
      className={cx(styles.chart, compact && styles.compact)}
      data-testid={testId}
      role="img"
      aria-label={ariaLabel}
      style={{ minHeight: height }}
    />
  );
}

export const TimeChart = memo(TimeChartImpl);
