import type { RouteTargetView, RouteViewDto } from "../../../protocol/gateway";
import { HealthBadge } from "./health-badge";

function TargetChip({ t }: { t: RouteTargetView }) {
  return (
    <div className="gw-target" data-testid="gw-target" data-target={t.id}>
      <HealthBadge availability={t.availability} />
      <span className="mono gw-target-id">{t.id}</span>
      <span className="muted small gw-traffic" title="requests answered in the last minute · errors · mean time to first byte">
        {t.perMinute}/min
        {t.errors > 0 ? <span className="error-text"> · {t.errors} err</span> : null}
        {t.avgTtftMs !== null ? ` · ${t.avgTtftMs} ms` : ""}
      </span>
    </div>
  );
}

/** Routes in failover order: each tier a row of equal-rank targets (balanced by load). */
export function RoutesTable({ routes, onEdit, onDelete }: { routes: RouteViewDto[]; onEdit(r: RouteViewDto): void; onDelete(model: string): void }) {
  if (routes.length === 0) {
    return <div className="empty muted">No routes yet. Add one with “+ Add a route”, put them in the config file, or deploy a model (each deployment is routable by its name).</div>;
  }
  return (
    <div className="table-wrap">
      <table className="table gw-table" data-testid="gw-routes">
        <thead>
          <tr><th>Model asked</th><th>Targets (tried top to bottom; a row shares load)</th><th /></tr>
        </thead>
        <tbody>
          {routes.map((r) => (
            <tr key={r.model} data-testid="gw-route" data-model={r.model}>
              <td>
                <div className="gw-name mono">{r.model}</div>
                <div className="muted small">{r.source === "config" ? "config file (read-only)" : r.source === "ui" ? "dashboard" : "deployment"}</div>
              </td>
              <td>
                {r.tiers.map((tier, i) => (
                  <div className="gw-tier" key={i}>
                    <span className="muted small gw-tier-n">{i + 1}</span>
                    {tier.map((t) => <TargetChip key={t.id} t={t} />)}
                  </div>
                ))}
              </td>
              <td className="dep-actions">
                {r.source === "ui" && (
                  <>
                    <button type="button" className="btn btn-small btn-ghost" onClick={() => onEdit(r)}>Edit</button>
                    <button type="button" className="btn btn-small btn-ghost" onClick={() => onDelete(r.model)} data-testid="gw-route-delete">Delete</button>
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
