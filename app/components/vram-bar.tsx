import { formatMiBPair, formatPercent, ratioPct } from "../lib/format";
import text from "../styles/text.module.css";
import { MeterBar } from "./meter-bar";
import styles from "./vram-bar.module.css";

/**
 * VRAM used of total as a bar, with the numbers in GiB beside it. The bar keeps one calm colour:
 * inference engines reserve ~90% by design, so "full" is normal; only the last few percent warn.
 */
export function VramBar({ usedMiB, totalMiB }: { usedMiB: number | null; totalMiB: number | null }) {
  const pct = ratioPct(usedMiB, totalMiB);
  const nearlyFull = pct !== null && pct >= 97;
  return (
    <div className={styles.vram} data-testid="gpu-vram" data-used-mib={usedMiB ?? ""} data-total-mib={totalMiB ?? ""}>
      <div className={styles.head}>
        <span className={text.label}>VRAM</span>
        <span className={text.num}>
          {formatMiBPair(usedMiB, totalMiB)}
          <span className={nearlyFull ? text.warnText : text.muted}> · {formatPercent(pct)}</span>
        </span>
      </div>
      <MeterBar pct={pct} color={nearlyFull ? "var(--warn)" : "var(--vram)"} label="VRAM used" thick />
    </div>
  );
}
