import { subjectLabel, type OccurrenceView } from "../../../protocol/alerts";
import { formatDuration } from "../../../protocol/duration";
import { RelativeTime } from "../relative-time";
import styles from "./alerts.module.css";
import { cx } from "../../lib/cx";
import panel from "../../styles/panel.module.css";
import table from "../../styles/table.module.css";
import text from "../../styles/text.module.css";

/** Every time an alert fired: when, until when, and where it was notified (with delivery errors). */
export function HistoryTable({ history }: { history: OccurrenceView[] }) {
  if (history.length === 0) return <div className={cx(panel.empty, text.muted)}>No alert has fired yet.</div>;
  return (
    <div className={table.wrap}>
      <table className={table.table} data-testid="alerts-history">
        <thead>
          <tr><th>Fired</th><th>Rule</th><th>About</th><th>What</th><th>Resolved</th><th>Notified</th></tr>
        </thead>
        <tbody>
          {history.map((o) => (
            <tr key={o.id} data-testid="alerts-history-row" data-kind={o.kind}>
              <td className={text.small}><RelativeTime ts={o.firedAt} /></td>
              <td><b>{o.rule}</b></td>
              <td>{subjectLabel(o.subject)}</td>
              <td className={styles.message}>{o.message}</td>
              <td className={text.small}>
                {o.resolvedAt ? <span className={styles.resolved}>after {formatDuration(o.resolvedAt - o.firedAt)}</span> : <span className={styles.stillFiring}>firing</span>}
              </td>
              <td>
                {o.deliveries.map((d) => (
                  <span key={d.id} className={cx(styles.delivery, styles[d.status] ?? "")} title={d.error ?? `${d.notice}: ${d.status} after ${d.attempts} attempt(s)`} data-testid="alerts-delivery" data-status={d.status}>
                    {d.channel} · {d.notice}{d.status !== "sent" ? ` · ${d.status}` : ""}{d.error ? `: ${d.error}` : ""}
                  </span>
                ))}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
