import { subjectLabel, type FiringAlertView } from "../../../protocol/alerts";
import { RelativeTime } from "../relative-time";
import styles from "./alerts.module.css";
import { cx } from "../../lib/cx";
import panel from "../../styles/panel.module.css";
import table from "../../styles/table.module.css";
import text from "../../styles/text.module.css";

/** What fires now: rule, subject, the message naming the cause, since when, last notified. */
export function FiringTable({ firing }: { firing: FiringAlertView[] }) {
  if (firing.length === 0) return <div className={cx(panel.empty, text.muted)} data-testid="alerts-none-firing">Nothing is firing.</div>;
  return (
    <div className={table.wrap}>
      <table className={table.table} data-testid="alerts-firing">
        <thead>
          <tr><th>Rule</th><th>About</th><th>What</th><th>Since</th><th>Notified</th></tr>
        </thead>
        <tbody>
          {firing.map((f) => (
            <tr key={`${f.rule}/${f.key}`} className={styles.firing} data-testid="alerts-firing-row" data-kind={f.kind} data-rule={f.rule}>
              <td><b>{f.rule}</b><div className={cx(text.muted, text.small)}>{f.kind}</div></td>
              <td>{subjectLabel(f.subject)}</td>
              <td className={styles.message}>{f.message}</td>
              <td className={text.small}><RelativeTime ts={f.firingSince} /></td>
              <td className={text.small}>{f.notifiedAt ? <RelativeTime ts={f.notifiedAt} /> : <span className={text.muted}>waiting (quiet hours)</span>}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
