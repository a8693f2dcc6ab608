import { cx } from "../lib/cx";
import styles from "./meter-bar.module.css";

/**
 * A thin horizontal fill for "x of y": memory, power, disk. `pct` null draws an empty track.
 * `thick` for the one bar a card is about (VRAM); `className` places it in its parent's layout.
 */
export function MeterBar({ pct, color, label, thick = false, className }: { pct: number | null; color: string; label: string; thick?: boolean; className?: string }) {
  const width = pct === null ? 0 : Math.max(0, Math.min(100, pct));
  return (
    <div
      className={cx(styles.meter, thick && styles.thick, className)}
      role="meter"
      aria-label={label}
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={pct === null ? undefined : Math.round(width)}
    >
      <div className={styles.fill} style={{ transform: `scaleX(${width / 100})`, background: color }} />
    </div>
  );
}
