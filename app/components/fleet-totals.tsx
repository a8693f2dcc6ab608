"use client";
import { UTIL_THRESHOLDS, scaleColor } from "../lib/color-scale";
import { formatPercent, mibToGiB, ratioPct } from "../lib/format";
import { useFleetTotals } from "../lib/use-live-fleet";
import { MeterBar } from "./meter-bar";

function Tile({ label, children, testId }: { label: string; children: React.ReactNode; testId: string }) {
  return (
    <div className="tile" data-testid={testId}>
      <span className="label">{label}</span>
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
    <div className="totals" data-testid="fleet-totals">
      <Tile label="Nodes online" testId="total-nodes">
        <span className="tile-value">
          {t.nodesOnline}
          <span className="tile-unit"> / {t.nodes}</span>
        </span>
        {t.warnings > 0 && <span className="tile-note warn-text">{t.warnings} warning{t.warnings === 1 ? "" : "s"}</span>}
      </Tile>
      <Tile label="GPUs" testId="total-gpus">
        <span className="tile-value">{t.gpus}</span>
      </Tile>
      <Tile label="VRAM used" testId="total-vram">
        <span className="tile-value">
          {mibToGiB(t.memUsedMiB)}
          <span className="tile-unit"> / {mibToGiB(t.memTotalMiB)} GiB</span>
        </span>
        <MeterBar pct={vramPct} color="var(--vram)" label="Fleet VRAM used" />
      </Tile>
      <Tile label="Avg utilisation" testId="total-util">
        <span className="tile-value" style={{ color: scaleColor(t.avgUtilPct, UTIL_THRESHOLDS) }}>
          {formatPercent(t.avgUtilPct)}
        </span>
        <MeterBar pct={t.avgUtilPct} color={scaleColor(t.avgUtilPct, UTIL_THRESHOLDS)} label="Average GPU utilisation" />
      </Tile>
      <Tile label="Power draw" testId="total-power">
        <span className="tile-value">
          {t.powerW === null ? "—" : Math.round(t.powerW).toLocaleString("en-US")}
          <span className="tile-unit"> W</span>
        </span>
        <MeterBar pct={powerPct} color="var(--power)" label="Fleet power draw of limit" />
      </Tile>
    </div>
  );
}
