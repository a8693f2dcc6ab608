import type { RequestLogEntry } from "../../../protocol/gateway";
import { RelativeTime } from "../relative-time";

/** The request log's newest rows: who asked for what, where it went, how it went. */
export function RecentRequests({ rows }: { rows: RequestLogEntry[] }) {
  if (rows.length === 0) return <div className="empty muted small">No requests yet.</div>;
  return (
    <div className="table-wrap">
      <table className="table gw-table small" data-testid="gw-requests">
        <thead>
          <tr>
            <th>When</th><th>Key</th><th>Model asked</th><th>Answered by</th><th className="num">Status</th>
            <th className="num">Tries</th><th className="num">TTFT</th><th className="num">Total</th><th className="num">Tokens in/out</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r, i) => (
            <tr key={r.id ?? `${r.ts}-${i}`}>
              <td><RelativeTime ts={r.ts} /></td>
              <td>{r.keyName ?? "—"}</td>
              <td className="mono">{r.modelAsked ?? "—"}{r.stream ? <span className="muted"> · stream</span> : null}</td>
              <td className="mono" title={r.error ?? undefined}>{r.target ?? "—"}</td>
              <td className={`num ${r.status >= 400 ? "error-text" : ""}`}>{r.status}</td>
              <td className={`num ${r.failovers > 0 ? "warn-text" : ""}`}>{r.attempts}</td>
              <td className="num">{r.ttftMs !== null ? `${r.ttftMs} ms` : "—"}</td>
              <td className="num">{r.durationMs} ms</td>
              <td className="num">{r.inputTokens ?? "—"} / {r.outputTokens ?? "—"}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
