import { HISTORY_RANGES, type HistoryRange } from "../../protocol/live";
import { cx } from "../lib/cx";
import form from "../styles/form.module.css";

export function RangeSelector({ value, onChange }: { value: HistoryRange; onChange: (r: HistoryRange) => void }) {
  return (
    <div className={form.segmented} role="radiogroup" aria-label="Time range" data-testid="range-selector">
      {HISTORY_RANGES.map((r) => (
        <button
          key={r}
          type="button"
          role="radio"
          aria-checked={r === value}
          className={cx(form.seg, r === value && form.active)}
          onClick={() => onChange(r)}
          data-range={r}
        >
          {r}
        </button>
      ))}
    </div>
  );
}
