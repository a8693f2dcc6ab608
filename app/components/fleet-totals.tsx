"use client";
import { UTIL_THRESHOLDS, scaleColor } from "../lib/color-scale";
import { formatPercent, mibToGiB, ratioPct } from "../lib/format";
import { useFleetTotals } from "../lib/use-live-fleet";
import { cx } from "../lib/cx";
import text from "../styles/text.module.css";
import styles from "./fleet-totals.module.css";
import { MeterBar } from "./meter-bar";

function Tile({ label, children, testId }: { label: string; children: React.ReactNode; testId: string }) {
  return (
    <div className={styles.tile} data-testid={testId}>
      <span className={text.label}>{label}</span>
      {children}
    </div>
  );
}

/** The fleet in five numbers, at the top of the overview. */
export function FleetTotals() {
  const t = useFleetTotals();
  const vramPct = ratioPct(t.memUsedMiB, t.memTotalMiB);
  const powerPct = ratioPct(t.powerW, t.powerLimitW);
  return (
    <div className={styles.totals} data-testid="fleet-totals">
      <Tile label="Nodes online" testId="total-nodes">
        <span className={styles.value}>
          {t.nodesOnline}
          <span className={styles.unit}> / {t.nodes}</span>
        </span>
        {t.warnings > 0 && <span className={cx(styles.note, text.warnText)}>{t.warnings} warning{t.warnings === 1 ? "" : "s"}</span>}
      </Tile>
      <Tile label="GPUs" testId="total-gpus">
        <span className={styles.value}>{t.gpus}</span>
      </Tile>
      <Tile label="VRAM used" testId="total-vram">
        <span className={styles.value}>
          {mibToGiB(t.memUsedMiB)}
          <span className={styles.unit}> / {mibToGiB(t.memTotalMiB)} GiB</span>
        </span>
        <MeterBar pct={vramPct} color="var(--vram)" label="Fleet VRAM used" />
      </Tile>
      <Tile label="Avg utilisation" testId="total-util">
        <span className={styles.value} style={{ color: scaleColor(t.avgUtilPct, UTIL_THRESHOLDS) }}>
          {formatPercent(t.avgUtilPct)}
        </span>
        <MeterBar pct={t.avgUtilPct} color={scaleColor(t.avgUtilPct, UTIL_THRESHOLDS)} label="Average GPU utilisation" />
      </Tile>
      <Tile label="Power draw" testId="total-power">
        <span className={styles.value}>
          {t.powerW === null ? "—" : Math.round(t.powerW).toLocaleString("en-US")}
          <span className={styles.unit}> W</span>
        </span>
        <MeterBar pct={powerPct} color="var(--power)" label="Fleet power draw of limit" />
      </Tile>
    </div>
  );
}
