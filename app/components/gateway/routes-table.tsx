import type { RouteTargetView, RouteViewDto } from "../../../protocol/gateway";
import { cx } from "../../lib/cx";
import button from "../../styles/button.module.css";
import panel from "../../styles/panel.module.css";
import table from "../../styles/table.module.css";
import text from "../../styles/text.module.css";
import gw from "./gateway.module.css";
import { HealthBadge } from "./health-badge";
import styles from "./routes-table.module.css";

function TargetChip({ t }: { t: RouteTargetView }) {
  return (
    <div className={styles.target} data-testid="gw-target" data-target={t.id}>
      <HealthBadge availability={t.availability} />
      <span className={text.mono}>{t.id}</span>
      <span className={cx(text.muted, text.small)} title="requests answered in the last minute · errors · mean time to first byte">
        {t.perMinute}/min
        {t.errors > 0 ? <span className={text.errorText}> · {t.errors} err</span> : null}
        {t.avgTtftMs !== null ? ` · ${t.avgTtftMs} ms` : ""}
      </span>
    </div>
  );
}

/** Routes in failover order: each tier a row of equal-rank targets (balanced by load). */
export function RoutesTable({ routes, onEdit, onDelete }: { routes: RouteViewDto[]; onEdit(r: RouteViewDto): void; onDelete(model: string): void }) {
  if (routes.length === 0) {
    return <div className={cx(panel.empty, text.muted)}>No routes yet. Add one with “+ Add a route”, put them in the config file, or deploy a model (each deployment is routable by its name).</div>;
  }
  return (
    <div className={table.wrap}>
      <table className={cx(table.table, gw.table)} data-testid="gw-routes">
        <thead>
          <tr><th>Model asked</th><th>Targets (tried top to bottom; a row shares load)</th><th /></tr>
        </thead>
        <tbody>
          {routes.map((r) => (
            <tr key={r.model} data-testid="gw-route" data-model={r.model}>
              <td>
                <div className={cx(gw.name, text.mono)}>{r.model}</div>
                <div className={cx(text.muted, text.small)}>{r.source === "config" ? "config file (read-only)" : r.source === "ui" ? "dashboard" : "deployment"}</div>
              </td>
              <td>
                {r.tiers.map((tier, i) => (
                  <div className={styles.tier} key={i}>
                    <span className={cx(text.muted, text.small, styles.tierN)}>{i + 1}</span>
                    {tier.map((t) => <TargetChip key={t.id} t={t} />)}
                  </div>
                ))}
              </td>
              <td className={table.actions}>
                {r.source === "ui" && (
                  <>
                    <button type="button" className={cx(button.btn, button.small, button.ghost)} onClick={() => onEdit(r)}>Edit</button>
                    <button type="button" className={cx(button.btn, button.small, button.ghost)} onClick={() => onDelete(r.model)} data-testid="gw-route-delete">Delete</button>
                  </>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
