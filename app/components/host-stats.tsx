import type { HostStats } from "../../protocol/telemetry";
import { UTIL_THRESHOLDS, MEM_THRESHOLDS, scaleColor } from "../lib/color-scale";
import { formatBytes, formatPercent, formatRate, ratioPct } from "../lib/format";
import { cx } from "../lib/cx";
import text from "../styles/text.module.css";
import styles from "./host-stats.module.css";
import { MeterBar } from "./meter-bar";

function Stat({ label, value, pct, color, title }: { label: string; value: string; pct?: number | null; color?: string; title?: string }) {
  return (
    <div className={styles.stat} title={title}>
      <span className={text.label}>{label}</span>
      <span className={text.num}>{value}</span>
      {pct !== undefined && <MeterBar pct={pct} color={color ?? "var(--accent)"} label={label} className={styles.meter} />}
    </div>
  );
}

/**
 * The host around the GPUs: CPU, memory, disk and network, in one dense row; at the right end of
 * its row unless `alignStart`.
 */
export function HostStatsRow({ host, alignStart = false }: { host: HostStats | null; alignStart?: boolean }) {
  const row = cx(styles.stats, alignStart && styles.start);
  if (!host) return <div className={cx(row, text.muted)}>no host stats yet</div>;
  const memPct = ratioPct(host.memUsedBytes, host.memTotalBytes);
  const diskPct = ratioPct(host.diskUsedBytes, host.diskTotalBytes);
  const hasDisk = host.diskTotalBytes !== undefined && host.diskTotalBytes !== null;
  const hasNet = (host.netRxBytesPerSec ?? null) !== null || (host.netTxBytesPerSec ?? null) !== null;
  return (
    <div className={row} data-testid="node-host">
      <Stat
        label="CPU"
        value={formatPercent(host.cpuPct)}
        pct={host.cpuPct}
        color={scaleColor(host.cpuPct, UTIL_THRESHOLDS)}
        title={typeof host.load1 === "number" ? `load ${host.load1.toFixed(2)}` : undefined}
      />
      <Stat
        label="Mem"
        value={`${formatBytes(host.memUsedBytes)} / ${formatBytes(host.memTotalBytes)}`}
        pct={memPct}
        color={scaleColor(memPct, MEM_THRESHOLDS)}
      />
      {hasDisk && (
        <Stat
          label="Disk"
          value={`${formatBytes(host.diskUsedBytes)} / ${formatBytes(host.diskTotalBytes)}`}
          pct={diskPct}
          color={scaleColor(diskPct, MEM_THRESHOLDS)}
        />
      )}
      {hasNet && (
        <Stat label="Net" value={`↓ ${formatRate(host.netRxBytesPerSec)}  ↑ ${formatRate(host.netTxBytesPerSec)}`} />
      )}
    </div>
  );
}
