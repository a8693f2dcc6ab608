import { HISTORY_RANGES, type HistoryRange } from "../../protocol/live";

export function RangeSelector({ value, onChange }: { value: HistoryRange; onChange: (r: HistoryRange) => void }) {
  return (
    <div className="segmented" role="radiogroup" aria-label="Time range" data-testid="range-selector">
      {HISTORY_RANGES.map((r) => (
        <button
          key={r}
          type="button"
          role="radio"
          aria-checked={r === value}
          className={r === value ? "seg is-active" : "seg"}
          onClick={() => onChange(r)}
          data-range={r}
        >
          {r}
        </button>
      ))}
    </div>
  );
}
