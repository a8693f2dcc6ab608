import type { ApiKeyView } from "../../../protocol/gateway";
import { cx } from "../../lib/cx";
import button from "../../styles/button.module.css";
import panel from "../../styles/panel.module.css";
import table from "../../styles/table.module.css";
import text from "../../styles/text.module.css";
import { RelativeTime } from "../relative-time";
import { compact } from "./gateway-api";
import gw from "./gateway.module.css";
import styles from "./keys-table.module.css";

/** Gateway API keys with their usage; dashboard keys can be revoked, config-file keys are read-only. */
export function KeysTable({ keys, onRevoke, busy }: { keys: ApiKeyView[]; onRevoke(k: ApiKeyView): void; busy: string | null }) {
  if (keys.length === 0) return <div className={cx(panel.empty, text.muted)}>No API keys yet. Clients need one: create it below.</div>;
  return (
    <div className={table.wrap}>
      <table className={cx(table.table, gw.table)} data-testid="gw-keys">
        <thead>
          <tr>
            <th>Name</th><th>Key</th><th>Models</th><th className={table.num}>Requests</th><th className={table.num}>Tokens in</th>
            <th className={table.num}>Tokens out</th><th>Last used</th><th />
          </tr>
        </thead>
        <tbody>
          {keys.map((k) => (
            <tr key={k.id} className={k.revokedAt ? styles.revoked : undefined} data-testid="gw-key" data-name={k.name}>
              <td>
                <span className={gw.name}>{k.name}</span>
                <div className={cx(text.muted, text.small)}>{k.source === "config" ? "config file" : "dashboard"}{k.revokedAt ? " · revoked" : ""}</div>
              </td>
              <td className={cx(text.mono, text.small)}>{k.prefix}</td>
              <td className={text.small}>{k.models ? k.models.join(", ") : <span className={text.muted}>all</span>}</td>
              <td className={table.num}>{compact(k.requests)}</td>
              <td className={table.num}>{compact(k.inputTokens)}</td>
              <td className={table.num}>{compact(k.outputTokens)}</td>
              <td className={text.small}>{k.lastUsedAt ? <RelativeTime ts={k.lastUsedAt} /> : <span className={text.muted}>never</span>}</td>
              <td className={table.actions}>
                {k.source === "ui" && !k.revokedAt && (
                  <button type="button" className={cx(button.btn, button.small, button.ghost)} disabled={busy === k.id} onClick={() => onRevoke(k)} data-testid="gw-key-revoke">
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
