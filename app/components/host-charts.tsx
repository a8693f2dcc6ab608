"use client";
import { useMemo } from "react";
import type uPlot from "uplot";
import type { HistoryRange, HostPoint } from "../../protocol/live";
import type { HostStats } from "../../protocol/telemetry";
import { seriesColors } from "../lib/chart-theme";
import { UTIL_THRESHOLDS, scaleColor } from "../lib/color-scale";
import { formatBytes, formatPercent } from "../lib/format";
import { fleetStore } from "../lib/fleet-store";
import { isLiveRange, RANGE_MS } from "../lib/ranges";
import { gapThresholdMs, hostGap, mergeWindow } from "../lib/series";
import panel from "../styles/panel.module.css";
import { ChartGrid, ChartPanel } from "./chart-panel";
import type { ChartSeries } from "./time-chart";

const CPU: readonly ChartSeries[] = [{ label: "CPU %", color: seriesColors.cpu, fill: true }];
const MEM: readonly ChartSeries[] = [{ label: "Memory GiB", color: seriesColors.mem, fill: true }];
const pct = [0, 100] as const;
const fmtPct = (v: number) => `${Math.round(v)}%`;
const fmtGiB = (v: number) =>
  v >= 1024 ? `${(v / 1024).toFixed(1)} TiB` : `${v === 0 || v >= 10 ? Math.round(v) : v.toFixed(1)} GiB`;

export interface HostChartsProps {
  nodeName: string;
  host: HostStats | null;
  history: readonly HostPoint[] | undefined;
  resolutionS: number;
  range: HistoryRange;
  online: boolean;
}

/** CPU and memory of the host over the chosen range. Re-rendered by the node page on each update. */
export function HostCharts({ nodeName, host, history, resolutionS, range, online }: HostChartsProps) {
  const live = isLiveRange(range);
  const ring = fleetStore.getHostRing(nodeName);
  const liveVersion = live ? ring.version : 0;
  const view = useMemo(() => {
    const rangeMs = RANGE_MS[range];
    const newest = Math.max(history?.at(-1)?.ts ?? 0, live ? (ring.lastTs ?? 0) : 0);
    const end = online && newest > 0 ? newest : Date.now();
    const pts = mergeWindow(history ?? [], live ? ring : null, rangeMs, end, gapThresholdMs(resolutionS), hostGap);
    const x = pts.map((p) => p.ts / 1000);
    return {
      xRange: [(end - rangeMs) / 1000, end / 1000] as const,
      cpu: [x, pts.map((p) => p.cpuPct)] as uPlot.AlignedData,
      mem: [x, pts.map((p) => (p.memUsedBytes === null ? null : p.memUsedBytes / 2 ** 30))] as uPlot.AlignedData,
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [history, ring, liveVersion, range, resolutionS, online, live]);

  const memTotalGiB = host?.memTotalBytes ? host.memTotalBytes / 2 ** 30 : null;
  const memRange = useMemo(
    () => (_min: number | null, max: number | null): [number, number] => [0, Math.max(memTotalGiB ?? 0, max ?? 0, 1)],
    [memTotalGiB],
  );

  return (
    <section className={panel.panel} data-testid="host-panel">
      <header className={panel.head}>
        <h2>Host</h2>
      </header>
      <ChartGrid two>
        <ChartPanel
          title="CPU"
          metric="cpu"
          testId="host-chart"
          current={formatPercent(host?.cpuPct ?? null)}
          currentColor={scaleColor(host?.cpuPct ?? null, UTIL_THRESHOLDS)}
          data={view.cpu}
          series={CPU}
          xRange={view.xRange}
          yRange={pct}
          formatValue={fmtPct}
        />
        <ChartPanel
          title="Memory"
          metric="mem"
          testId="host-chart"
          current={`${formatBytes(host?.memUsedBytes ?? null)} / ${formatBytes(host?.memTotalBytes ?? null)}`}
          data={view.mem}
          series={MEM}
          xRange={view.xRange}
          yRange={memRange}
          formatValue={fmtGiB}
        />
      </ChartGrid>
    </section>
  );
}
