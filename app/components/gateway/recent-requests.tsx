import type { RequestLogEntry } from "../../../protocol/gateway";
import { cx } from "../../lib/cx";
import panel from "../../styles/panel.module.css";
import table from "../../styles/table.module.css";
import text from "../../styles/text.module.css";
import { RelativeTime } from "../relative-time";
import gw from "./gateway.module.css";

/** The request log's newest rows: who asked for what, where it went, how it went. */
export function RecentRequests({ rows }: { rows: RequestLogEntry[] }) {
  if (rows.length === 0) return <div className={cx(panel.empty, text.muted, text.small)}>No requests yet.</div>;
  return (
    <div className={table.wrap}>
      <table className={cx(table.table, gw.table)} data-testid="gw-requests">
        <thead>
          <tr>
            <th>When</th><th>Key</th><th>Model asked</th><th>Answered by</th><th className={table.num}>Status</th>
            <th className={table.num}>Tries</th><th className={table.num} title="How long it waited for an on-demand model to load">Load wait</th><th className={table.num}>TTFT</th><th className={table.num}>Total</th><th className={table.num}>Tokens in/out</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r, i) => (
            <tr key={r.id ?? `${r.ts}-${i}`}>
              <td><RelativeTime ts={r.ts} /></td>
              <td>{r.keyName ?? "—"}</td>
              <td className={text.mono}>{r.modelAsked ?? "—"}{r.stream ? <span className={text.muted}> · stream</span> : null}</td>
              <td className={text.mono} title={r.error ?? undefined}>{r.target ?? "—"}</td>
              <td className={cx(table.num, r.status >= 400 && text.errorText)}>{r.status}</td>
              <td className={cx(table.num, r.failovers > 0 && text.warnText)}>{r.attempts}</td>
              <td className={cx(table.num, r.loadWaitMs != null && text.warnText)} data-testid="gw-load-wait">{r.loadWaitMs != null ? `${r.loadWaitMs} ms` : "—"}</td>
              <td className={table.num}>{r.ttftMs !== null ? `${r.ttftMs} ms` : "—"}</td>
              <td className={table.num}>{r.durationMs} ms</td>
              <td className={table.num}>{r.inputTokens ?? "—"} / {r.outputTokens ?? "—"}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
