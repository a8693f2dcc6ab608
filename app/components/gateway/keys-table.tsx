import type { ApiKeyView } from "../../../protocol/gateway";
import { RelativeTime } from "../relative-time";
import { compact } from "./gateway-api";

/** Gateway API keys with their usage; dashboard keys can be revoked, config-file keys are read-only. */
export function KeysTable({ keys, onRevoke, busy }: { keys: ApiKeyView[]; onRevoke(k: ApiKeyView): void; busy: string | null }) {
  if (keys.length === 0) return <div className="empty muted">No API keys yet. Clients need one: create it below.</div>;
  return (
    <div className="table-wrap">
      <table className="table gw-table" data-testid="gw-keys">
        <thead>
          <tr>
            <th>Name</th><th>Key</th><th>Models</th><th className="num">Requests</th><th className="num">Tokens in</th>
            <th className="num">Tokens out</th><th>Last used</th><th />
          </tr>
        </thead>
        <tbody>
          {keys.map((k) => (
            <tr key={k.id} className={k.revokedAt ? "gw-revoked" : undefined} data-testid="gw-key" data-name={k.name}>
              <td>
                <span className="gw-name">{k.name}</span>
                <div className="muted small">{k.source === "config" ? "config file" : "dashboard"}{k.revokedAt ? " · revoked" : ""}</div>
              </td>
              <td className="mono small">{k.prefix}</td>
              <td className="small">{k.models ? k.models.join(", ") : <span className="muted">all</span>}</td>
              <td className="num">{compact(k.requests)}</td>
              <td className="num">{compact(k.inputTokens)}</td>
              <td className="num">{compact(k.outputTokens)}</td>
              <td className="small">{k.lastUsedAt ? <RelativeTime ts={k.lastUsedAt} /> : <span className="muted">never</span>}</td>
              <td className="dep-actions">
                {k.source === "ui" && !k.revokedAt && (
                  <button type="button" className="btn btn-small btn-ghost" disabled={busy === k.id} onClick={() => onRevoke(k)} data-testid="gw-key-revoke">
                    Revoke
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
