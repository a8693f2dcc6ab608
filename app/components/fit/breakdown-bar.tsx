/** Weights, KV cache and overhead as one bar against the GPUs' free memory, with a legend. */
import type { FitEstimate } from "../../../protocol/fit";
import { formatBytes } from "../../lib/format";
import { breakdownSegments } from "./fit-view";

export function BreakdownBar({ estimate, capacityBytes, label }: { estimate: FitEstimate; capacityBytes: number; label?: string }) {
  const { segments, over } = breakdownSegments(estimate, capacityBytes);
  const need = estimate.weightsBytes + estimate.kvCacheBytes + estimate.overheadBytes;
  return (
    <div className="fit-breakdown" data-testid="fit-breakdown" data-over={over}>
      <div className="fit-breakdown-head">
        <span className="label">{label ?? "Memory"}</span>
        <span className={`num ${over ? "error-text" : ""}`}>
          {formatBytes(need)} of {formatBytes(capacityBytes)} free
        </span>
      </div>
      <div className={`fit-bar ${over ? "fit-bar-over" : ""}`} role="img" aria-label={segments.map((s) => `${s.label} ${formatBytes(s.bytes)}`).join(", ")}>
        {segments.map((s) => (
          <div key={s.key} className={`fit-seg fit-seg-${s.key}`} style={{ width: `${s.pct}%`, background: s.color }} title={`${s.label}: ${formatBytes(s.bytes)}`} />
        ))}
        {over && <div className="fit-bar-limit" style={{ left: `${(capacityBytes / need) * 100}%` }} title="free memory" />}
      </div>
      <div className="fit-legend">
        {segments.map((s) => (
          <span key={s.key} className="fit-legend-item">
            <span className="fit-swatch" style={{ background: s.color }} aria-hidden="true" />
            {s.label} <span className="num">{formatBytes(s.bytes)}</span>
          </span>
        ))}
      </div>
    </div>
  );
}
