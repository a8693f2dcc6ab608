"use client";
/**
 * The last few minutes of one GPU's utilisation and VRAM share, from the client-side ring buffer
 * (seeded from history, appended by the live stream). Re-renders only when that ring changes.
 */
import { memo, useMemo } from "react";
import type uPlot from "uplot";
import { seriesColors } from "../lib/chart-theme";
import { SPARK_WINDOW_MS } from "../lib/fleet-store";
import { cx } from "../lib/cx";
import { useInViewContext } from "../lib/use-in-view";
import { useGpuRing } from "../lib/use-live-fleet";
import text from "../styles/text.module.css";
import styles from "./gpu-sparkline.module.css";
import { TimeChart, type ChartSeries } from "./time-chart";

const SERIES: readonly ChartSeries[] = [
  { label: "Util", color: seriesColors.util, fill: true },
  { label: "VRAM", color: seriesColors.vram },
];
const Y_PCT = [0, 100] as const;
const SPARK_HEIGHT = 40;

function GpuSparklineImpl({ uuid, memTotalMiB }: { uuid: string; memTotalMiB: number | null }) {
  // Off screen there is no chart to feed: no canvas, no re-render per sample.
  const inView = useInViewContext();
  const { ring, version } = useGpuRing(uuid, inView);
  const { data, xRange } = useMemo(() => {
    const pts = ring.all();
    const x: number[] = [];
    const util: (number | null)[] = [];
    const vram: (number | null)[] = [];
    for (const p of pts) {
      x.push(p.ts / 1000);
      util.push(p.utilGpuPct);
      vram.push(p.memUsedMiB !== null && memTotalMiB ? (p.memUsedMiB / memTotalMiB) * 100 : null);
    }
    const end = (ring.lastTs ?? Date.now()) / 1000;
    return {
      data: [x, util, vram] as uPlot.AlignedData,
      xRange: [end - SPARK_WINDOW_MS / 1000, end] as const,
    };
    // `version` is the ring's change counter: the ring mutates in place.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [ring, version, memTotalMiB]);

  return (
    <div className={styles.spark} data-testid="gpu-sparkline" data-points={data[0].length}>
      <div className={styles.legend} aria-hidden="true">
        <span style={{ color: seriesColors.util }}>util</span>
        <span style={{ color: seriesColors.vram }}>vram</span>
        <span className={cx(text.muted, styles.window)}>last 5 min</span>
      </div>
      {inView ? (
        <TimeChart
          data={data}
          series={SERIES}
          height={SPARK_HEIGHT}
          yRange={Y_PCT}
          xRange={xRange}
          compact
          ariaLabel="Utilisation and VRAM, last 5 minutes"
        />
      ) : (
        <div style={{ height: SPARK_HEIGHT }} />
      )}
    </div>
  );
}

export const GpuSparkline = memo(GpuSparklineImpl);
