import type { GpuProcess } from "../../protocol/telemetry";
import { cx } from "../lib/cx";
import { formatMiB } from "../lib/format";
import table from "../styles/table.module.css";
import text from "../styles/text.module.css";
import styles from "./gpu-processes.module.css";

const SHOWN = 4;

/** The processes holding memory on one GPU, biggest first; the rest summarised. */
export function GpuProcesses({ processes }: { processes: readonly GpuProcess[] }) {
  if (processes.length === 0) {
    return (
      <div className={cx(styles.procs, styles.empty, text.muted)} data-testid="gpu-processes" data-count={0}>
        no processes
      </div>
    );
  }
  const sorted = [...processes].sort((a, b) => (b.usedMiB ?? -1) - (a.usedMiB ?? -1));
  const shown = sorted.slice(0, SHOWN);
  const rest = sorted.length - shown.length;
  return (
    <table className={styles.procs} data-testid="gpu-processes" data-count={processes.length}>
      <tbody>
        {shown.map((p) => (
          <tr key={`${p.pid}:${p.name}`}>
            <td className={table.process} title={p.name}>
              {p.name}
            </td>
            <td className={cx(text.num, styles.num, text.muted)}>{p.pid}</td>
            <td className={cx(text.num, styles.num)}>{formatMiB(p.usedMiB)}</td>
          </tr>
        ))}
        {rest > 0 && (
          <tr>
            <td className={text.muted} colSpan={3}>
              +{rest} more
            </td>
          </tr>
        )}
      </tbody>
    </table>
  );
}
