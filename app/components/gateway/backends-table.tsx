import type { BackendView } from "../../../protocol/gateway";
import { RelativeTime } from "../relative-time";
import { HealthBadge } from "./health-badge";

/** Every backend the gateway can send to, with its active check and circuit breaker. */
export function BackendsTable({ backends }: { backends: BackendView[] }) {
  if (backends.length === 0) {
    return <div className="empty muted">No backends yet: add them to the config file (SWITCHYARD_CONFIG) or deploy a model.</div>;
  }
  return (
    <div className="table-wrap">
      <table className="table gw-table" data-testid="gw-backends">
        <thead>
          <tr>
            <th>Backend</th><th>Health</th><th>Circuit</th><th className="num">In flight</th><th>Check</th><th>Endpoint</th>
          </tr>
        </thead>
        <tbody>
          {backends.map((b) => (
            <tr key={b.name}>
              <td>
                <span className="gw-name">{b.name}</span>
                <span className="muted small"> · {b.api} · {b.source === "deployment" ? "deployment" : b.kind}</span>
              </td>
              <td><HealthBadge availability={b.availability} title={b.error ?? undefined} /></td>
              <td className="small">
                {b.breaker.state === "closed" ? <span className="muted">closed</span> : (
                  <span className="warn-text">
                    {b.breaker.state}
                    {b.breaker.state === "open" && b.breaker.retryInMs > 0 ? ` · retry in ${Math.ceil(b.breaker.retryInMs / 1000)} s` : ""}
                    {b.breaker.reason ? ` (${b.breaker.reason})` : ""}
                  </span>
                )}
              </td>
              <td className="num">{b.outstanding}</td>
              <td className="small">
                {b.lastCheckAt ? <><RelativeTime ts={b.lastCheckAt} />{b.latencyMs !== null ? ` · ${b.latencyMs} ms` : ""}</> : <span className="muted">—</span>}
                {b.error && <div className="error-text gw-error" title={b.error}>{b.error}</div>}
              </td>
              <td className="mono small gw-url">{b.url}{b.hasKey ? <span className="muted"> · key set</span> : null}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
