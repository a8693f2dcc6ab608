"use client";
/**
 * The node page's charts for one GPU: utilisation, VRAM, temperature and power over the chosen
 * range; short ranges keep appending the live samples.
 */
import { memo, useMemo } from "react";
import type uPlot from "uplot";
import type { GpuPoint, HistoryRange } from "../../protocol/live";
import type { Gpu } from "../../protocol/telemetry";
import { seriesColors } from "../lib/chart-theme";
import { TEMP_THRESHOLDS, UTIL_THRESHOLDS, scaleColor } from "../lib/color-scale";
import { cx } from "../lib/cx";
import { formatMiBPair, formatPercent, formatPowerPair, formatTemp } from "../lib/format";
import { isLiveRange, RANGE_MS } from "../lib/ranges";
import { gapThresholdMs, gpuGap, mergeWindow } from "../lib/series";
import { useGpuRing } from "../lib/use-live-fleet";
import panel from "../styles/panel.module.css";
import text from "../styles/text.module.css";
import { ChartGrid, ChartPanel } from "./chart-panel";
import { GpuIndex } from "./gpu-index";
import type { ChartSeries } from "./time-chart";

const UTIL: readonly ChartSeries[] = [{ label: "Util %", color: seriesColors.util, fill: true }];
const VRAM: readonly ChartSeries[] = [{ label: "VRAM GiB", color: seriesColors.vram, fill: true }];
const TEMP: readonly ChartSeries[] = [{ label: "Temp °C", color: seriesColors.temp }];
const POWER: readonly ChartSeries[] = [{ label: "Power W", color: seriesColors.power, fill: true }];

const pct = [0, 100] as const;
const fmtPct = (v: number) => `${Math.round(v)}%`;
const fmtGiB = (v: number) => `${v === 0 || v >= 10 ? Math.round(v) : v.toFixed(1)} GiB`;
const fmtC = (v: number) => `${Math.round(v)}°`;
const fmtW = (v: number) => `${Math.round(v)} W`;

export interface GpuChartsProps {
  gpu: Gpu;
  history: readonly GpuPoint[] | undefined;
  resolutionS: number;
  range: HistoryRange;
  online: boolean;
}

function GpuChartsImpl({ gpu, history, resolutionS, range, online }: GpuChartsProps) {
  const live = isLiveRange(range);
  const { ring, version } = useGpuRing(gpu.uuid);
  const liveVersion = live ? version : 0;

  const view = useMemo(() => {
    const rangeMs = RANGE_MS[range];
    const newest = Math.max(history?.at(-1)?.ts ?? 0, live ? (ring.lastTs ?? 0) : 0);
    // Online: end at the newest sample (immune to agent/browser clock skew). Offline: at now, so
    // the outage shows as empty space at the right.
    const end = online && newest > 0 ? newest : Date.now();
    const pts = mergeWindow(history ?? [], live ? ring : null, rangeMs, end, gapThresholdMs(resolutionS), gpuGap);
    const x: number[] = [];
    const util: (number | null)[] = [];
    const vram: (number | null)[] = [];
    const temp: (number | null)[] = [];
    const power: (number | null)[] = [];
    for (const p of pts) {
      x.push(p.ts / 1000);
      util.push(p.utilGpuPct);
      vram.push(p.memUsedMiB === null ? null : p.memUsedMiB / 1024);
      temp.push(p.tempC);
      power.push(p.powerW);
    }
    return {
      xRange: [(end - rangeMs) / 1000, end / 1000] as const,
      util: [x, util] as uPlot.AlignedData,
      vram: [x, vram] as uPlot.AlignedData,
      temp: [x, temp] as uPlot.AlignedData,
      power: [x, power] as uPlot.AlignedData,
    };
    // liveVersion: the ring mutates in place and bumps its version.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [history, ring, liveVersion, range, resolutionS, online, live]);

  const totalGiB = gpu.memTotalMiB === null ? null : gpu.memTotalMiB / 1024;
  const limit = gpu.powerLimitW;
  const vramRange = useMemo(
    () => (_min: number | null, max: number | null): [number, number] => [0, Math.max(totalGiB ?? 0, max ?? 0, 1)],
    [totalGiB],
  );
  const powerRange = useMemo(
    () => (_min: number | null, max: number | null): [number, number] => [0, Math.max(limit ?? 0, max ?? 0, 10) * 1.05],
    [limit],
  );

  return (
    <section className={panel.panel} data-testid="gpu-panel" data-gpu-uuid={gpu.uuid}>
      <header className={panel.head}>
        <h2>
          <GpuIndex index={gpu.index} /> {gpu.name}
        </h2>
        <span className={cx(text.muted, text.small, text.mono)} title="GPU UUID">
          {gpu.uuid}
        </span>
      </header>
      <ChartGrid>
        <ChartPanel
          title="Utilisation"
          metric="util"
          current={formatPercent(gpu.utilGpuPct)}
          currentColor={scaleColor(gpu.utilGpuPct, UTIL_THRESHOLDS)}
          data={view.util}
          series={UTIL}
          xRange={view.xRange}
          yRange={pct}
          formatValue={fmtPct}
        />
        <ChartPanel
          title="VRAM"
          metric="vram"
          current={formatMiBPair(gpu.memUsedMiB, gpu.memTotalMiB)}
          data={view.vram}
          series={VRAM}
          xRange={view.xRange}
          yRange={vramRange}
          formatValue={fmtGiB}
        />
        <ChartPanel
          title="Temperature"
          metric="temp"
          current={formatTemp(gpu.tempC)}
          currentColor={scaleColor(gpu.tempC, TEMP_THRESHOLDS)}
          data={view.temp}
          series={TEMP}
          xRange={view.xRange}
          yRange={tempRange}
          formatValue={fmtC}
        />
        <ChartPanel
          title="Power"
          metric="power"
          current={formatPowerPair(gpu.powerW, gpu.powerLimitW)}
          data={view.power}
          series={POWER}
          xRange={view.xRange}
          yRange={powerRange}
          formatValue={fmtW}
        />
      </ChartGrid>
    </section>
  );
}

function tempRange(min: number | null, max: number | null): [number, number] {
  return [Math.min(20, Math.floor((min ?? 20) / 10) * 10), Math.max(90, Math.ceil(((max ?? 90) + 5) / 10) * 10)];
}

export const GpuCharts = memo(GpuChartsImpl);
