/** A thin horizontal fill for "x of y": memory, power, disk. `pct` null draws an empty track. */
export function MeterBar({ pct, color, label }: { pct: number | null; color: string; label: string }) {
  const width = pct === null ? 0 : Math.max(0, Math.min(100, pct));
  return (
    <div
      className="meter"
      role="meter"
      aria-label={label}
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={pct === null ? undefined : Math.round(width)}
    >
      <div className="meter-fill" style={{ width: `${width}%`, background: color }} />
    </div>
  );
}
