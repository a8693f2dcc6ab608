"use client";
/**
 * One GPU at a glance: utilisation, temperature, power against its limit, VRAM, the last few
 * minutes as a sparkline, and who holds its memory. Memoised on the values it shows, so a node
 * update that leaves this GPU unchanged does not re-render it.
 */
import { memo } from "react";
import type { Gpu, GpuProcess } from "../../protocol/telemetry";
import { POWER_THRESHOLDS, TEMP_THRESHOLDS, UTIL_THRESHOLDS, scaleColor } from "../lib/color-scale";
import { cx } from "../lib/cx";
import { formatPercent, formatTemp, formatWatts, MISSING, ratioPct } from "../lib/format";
import text from "../styles/text.module.css";
import styles from "./gpu-card.module.css";
import { GpuIndex } from "./gpu-index";
import { GpuProcesses } from "./gpu-processes";
import { GpuHolders } from "./gpu-holders";
import { NO_HOLDERS, type GpuHolders as Holders } from "../lib/gpu-holders";
import { GpuSparkline } from "./gpu-sparkline";
import { MeterBar } from "./meter-bar";
import { VramBar } from "./vram-bar";

export interface GpuCardProps {
  gpu: Gpu;
  processes: readonly GpuProcess[];
  online: boolean;
  /** Deployments holding its memory, and on-demand ones that could load there. */
  holders?: Holders;
}

function GpuCardImpl({ gpu, processes, online, holders = NO_HOLDERS }: GpuCardProps) {
  const powerPct = ratioPct(gpu.powerW, gpu.powerLimitW);
  const mig = gpu.migMode === "Enabled";
  const tags = [gpu.pstate ?? null, mig ? "MIG" : null].filter((t): t is string => t !== null);
  const details = [
    gpu.name,
    gpu.uuid,
    typeof gpu.fanPct === "number" ? `fan ${Math.round(gpu.fanPct)}%` : null,
    typeof gpu.smClockMHz === "number" ? `SM ${gpu.smClockMHz} MHz` : null,
    typeof gpu.memClockMHz === "number" ? `mem ${gpu.memClockMHz} MHz` : null,
    typeof gpu.utilMemPct === "number" ? `memory bus ${Math.round(gpu.utilMemPct)}%` : null,
  ]
    .filter((t): t is string => t !== null)
    .join("\n");

  return (
    <article
      className={cx(styles.card, !online && styles.offline)}
      data-testid="gpu-card"
      data-gpu-uuid={gpu.uuid}
      data-gpu-index={gpu.index}
    >
      <header className={styles.head}>
        <GpuIndex index={gpu.index} title={`GPU ${gpu.index}`} />
        <span className={styles.name} title={details}>
          {shortGpuName(gpu.name)}
        </span>
        {tags.length > 0 && <span className={styles.tags}>{tags.join(" · ")}</span>}
      </header>

      <div className={styles.metrics}>
        <div className={styles.metric} data-testid="gpu-util" data-value={gpu.utilGpuPct ?? ""}>
          <span className={text.label}>Util</span>
          <span
            className={styles.value}
            style={{ color: scaleColor(gpu.utilGpuPct, UTIL_THRESHOLDS) }}
            title={gpu.utilGpuPct === null ? (mig ? "Not reported in MIG mode" : "Not reported") : undefined}
          >
            {formatPercent(gpu.utilGpuPct)}
          </span>
          <MeterBar pct={gpu.utilGpuPct} color={scaleColor(gpu.utilGpuPct, UTIL_THRESHOLDS)} label="GPU utilisation" className={styles.meter} />
        </div>
        <div className={styles.metric} data-testid="gpu-temp" data-value={gpu.tempC ?? ""}>
          <span className={text.label}>Temp</span>
          <span className={styles.value} style={{ color: scaleColor(gpu.tempC, TEMP_THRESHOLDS) }}>
            {formatTemp(gpu.tempC)}
          </span>
          <MeterBar pct={gpu.tempC === null ? null : Math.min(100, gpu.tempC)} color={scaleColor(gpu.tempC, TEMP_THRESHOLDS)} label="Temperature" className={styles.meter} />
        </div>
        <div className={styles.metric} data-testid="gpu-power" data-value={gpu.powerW ?? ""} data-limit={gpu.powerLimitW ?? ""}>
          <span className={text.label}>Power</span>
          <span className={styles.value}>
            {gpu.powerW === null ? MISSING : formatWatts(gpu.powerW).replace(" W", "")}
            <span className={styles.unit}> / {gpu.powerLimitW === null ? MISSING : Math.round(gpu.powerLimitW)} W</span>
          </span>
          <MeterBar pct={powerPct} color={scaleColor(powerPct, POWER_THRESHOLDS)} label="Power draw of limit" className={styles.meter} />
        </div>
      </div>

      <VramBar usedMiB={gpu.memUsedMiB} totalMiB={gpu.memTotalMiB} />
      <GpuSparkline uuid={gpu.uuid} memTotalMiB={gpu.memTotalMiB} />
      <GpuProcesses processes={processes} />
      <GpuHolders holders={holders} />
    </article>
  );
}

/** "NVIDIA GeForce RTX 4090" -> "GeForce RTX 4090": the vendor is the same on every card. */
function shortGpuName(name: string): string {
  return name.replace(/^NVIDIA\s+/i, "");
}

function sameGpu(a: Gpu, b: Gpu): boolean {
  if (a === b) return true;
  const keys = new Set([...Object.keys(a), ...Object.keys(b)] as (keyof Gpu)[]);
  for (const k of keys) if (a[k] !== b[k]) return false;
  return true;
}

function sameProcesses(a: readonly GpuProcess[], b: readonly GpuProcess[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  return a.every((p, i) => {
    const q = b[i];
    return q !== undefined && p.pid === q.pid && p.name === q.name && p.usedMiB === q.usedMiB;
  });
}

export const GpuCard = memo(
  GpuCardImpl,
  (prev, next) => prev.online === next.online && sameGpu(prev.gpu, next.gpu) && sameProcesses(prev.processes, next.processes) &&
    JSON.stringify(prev.holders ?? NO_HOLDERS) === JSON.stringify(next.holders ?? NO_HOLDERS),
);
