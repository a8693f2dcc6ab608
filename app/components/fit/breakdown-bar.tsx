/** Weights, KV cache and overhead as one bar against the GPUs' free memory, with a legend. */
import type { FitEstimate } from "../../../protocol/fit";
import { cx } from "../../lib/cx";
import { formatBytes } from "../../lib/format";
import text from "../../styles/text.module.css";
import styles from "./breakdown-bar.module.css";
import { breakdownSegments } from "./fit-view";

export function BreakdownBar({ estimate, capacityBytes, label }: { estimate: FitEstimate; capacityBytes: number; label?: string }) {
  const { segments, over } = breakdownSegments(estimate, capacityBytes);
  const need = estimate.weightsBytes + estimate.kvCacheBytes + estimate.overheadBytes;
  return (
    <div className={styles.breakdown} data-testid="fit-breakdown" data-over={over}>
      <div className={styles.head}>
        <span className={text.label}>{label ?? "Memory"}</span>
        <span className={cx(text.num, over && text.errorText)}>
          {formatBytes(need)} of {formatBytes(capacityBytes)} free
        </span>
      </div>
      <div className={cx(styles.bar, over && styles.over)} role="img" aria-label={segments.map((s) => `${s.label} ${formatBytes(s.bytes)}`).join(", ")}>
        {segments.map((s) => (
          <div key={s.key} className={cx(styles.seg, s.key === "free" && styles.free)} style={{ width: `${s.pct}%`, background: s.color }} title={`${s.label}: ${formatBytes(s.bytes)}`} />
        ))}
        {over && <div className={styles.limit} style={{ left: `${(capacityBytes / need) * 100}%` }} title="free memory" />}
      </div>
      <div className={styles.legend}>
        {segments.map((s) => (
          <span key={s.key} className={styles.legendItem}>
            <span className={styles.swatch} style={{ background: s.color }} aria-hidden="true" />
            {s.label} <span className={text.num}>{formatBytes(s.bytes)}</span>
          </span>
        ))}
      </div>
    </div>
  );
}
