import type { AlertRuleView } from "../../../protocol/alerts";
import styles from "./alerts.module.css";
import { cx } from "../../lib/cx";
import button from "../../styles/button.module.css";
import panel from "../../styles/panel.module.css";
import table from "../../styles/table.module.css";
import text from "../../styles/text.module.css";

function scopeText(r: AlertRuleView): string {
  const parts = (["nodes", "gpus", "routes", "backends", "deployments"] as const).filter((k) => r[k]?.length).map((k) => `${k}: ${r[k]!.join(", ")}`);
  return parts.length ? parts.join("; ") : "everything";
}

/** Rules with their threshold, duration, scope and channels; dashboard rules can be edited and deleted. */
export function RulesTable({ rules, onEdit, onDelete }: { rules: AlertRuleView[]; onEdit(r: AlertRuleView): void; onDelete(name: string): void }) {
  if (rules.length === 0) return <div className={cx(panel.empty, text.muted)}>No rules yet: add one, or write them in the config file&apos;s alerts.rules.</div>;
  return (
    <div className={table.wrap}>
      <table className={table.table} data-testid="alerts-rules">
        <thead><tr><th>Name</th><th>When</th><th>Above</th><th>For</th><th>Repeat</th><th>Scope</th><th>Notify</th><th /></tr></thead>
        <tbody>
          {rules.map((r) => (
            <tr key={r.name} data-testid="alerts-rule" data-name={r.name}>
              <td><b>{r.name}</b><div className={cx(text.muted, text.small)}>{r.source === "config" ? "config file" : "dashboard"}</div></td>
              <td>{r.when}</td>
              <td>{r.above ?? <span className={text.muted}>—</span>}</td>
              <td>{r.for}</td>
              <td>{r.repeat ?? <span className={text.muted}>once</span>}</td>
              <td className={text.small}>{scopeText(r)}{r.quietHours ? <div className={text.muted}>quiet {r.quietHours.from}–{r.quietHours.to}</div> : null}</td>
              <td>{r.notify.join(", ")}</td>
              <td><div className={styles.actions}>
                {r.source === "ui" && (
                  <>
                    <button type="button" className={cx(button.btn, button.small, button.ghost)} onClick={() => onEdit(r)}>Edit</button>
                    <button type="button" className={cx(button.btn, button.small, button.ghost)} onClick={() => onDelete(r.name)} data-testid="alerts-rule-delete">Delete</button>
                  </>
                )}
              </div></td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
