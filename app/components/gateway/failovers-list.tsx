import type { FailoverView } from "../../../protocol/gateway";
import { RelativeTime } from "../relative-time";

/** The latest moves from one target to the next, with why. */
export function FailoversList({ failovers }: { failovers: FailoverView[] }) {
  if (failovers.length === 0) return <div className="empty muted small">No failovers recently.</div>;
  return (
    <ul className="gw-failovers" data-testid="gw-failovers">
      {failovers.slice(0, 20).map((f, i) => (
        <li key={`${f.ts}-${i}`}>
          <span className="muted small"><RelativeTime ts={f.ts} /></span>{" "}
          <span className="mono">{f.model}</span>: <span className="mono">{f.from}</span> → {f.to ? <span className="mono">{f.to}</span> : <span className="error-text">no target left</span>}
          <span className="muted small"> ({f.why})</span>
        </li>
      ))}
    </ul>
  );
}
