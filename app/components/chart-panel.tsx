import type uPlot from "uplot";
import { cx } from "../lib/cx";
import text from "../styles/text.module.css";
import styles from "./chart-panel.module.css";
import { TimeChart, type ChartSeries, type YRange } from "./time-chart";

export interface ChartPanelProps {
  title: string;
  /** The current value, shown beside the title. */
  current: string;
  currentColor?: string;
  metric: string;
  data: uPlot.AlignedData;
  series: readonly ChartSeries[];
  xRange: readonly [number, number];
  yRange?: YRange;
  formatValue?: (v: number) => string;
  testId?: string;
}

/** A titled chart with its current value: the unit of the node page's grids. */
export function ChartPanel(p: ChartPanelProps) {
  return (
    <figure className={styles.panel} data-testid={p.testId ?? "gpu-chart"} data-metric={p.metric} data-points={p.data[0].length}>
      <figcaption className={styles.head}>
        <span className={text.label}>{p.title}</span>
        <span className={cx(text.num, styles.current)} style={p.currentColor ? { color: p.currentColor } : undefined}>
          {p.current}
        </span>
      </figcaption>
      <TimeChart
        data={p.data}
        series={p.series}
        height={150}
        xRange={p.xRange}
        yRange={p.yRange}
        formatValue={p.formatValue}
        ariaLabel={`${p.title} over time`}
      />
    </figure>
  );
}

/** The grid the panels sit in: four across on wide screens (`two` for a pair). */
export function ChartGrid({ two = false, children }: { two?: boolean; children: React.ReactNode }) {
  return <div className={cx(styles.grid, two && styles.two)}>{children}</div>;
}
