"use client";
/** Gateway routes: every backend's health, each route's targets with live traffic, recent failovers. */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { DashboardShell } from "../components/dashboard-shell";
import { ErrorBanner } from "../components/error-banner";
import { BackendsTable } from "../components/gateway/backends-table";
import { FailoversList } from "../components/gateway/failovers-list";
import { gatewayApi, gatewayKeys } from "../components/gateway/gateway-api";
import { RecentRequests } from "../components/gateway/recent-requests";
import { RouteForm, type RouteDraft } from "../components/gateway/route-form";
import { RoutesTable } from "../components/gateway/routes-table";
import { cx } from "../lib/cx";
import button from "../styles/button.module.css";
import panel from "../styles/panel.module.css";
import text from "../styles/text.module.css";
import styles from "./page.module.css";

export default function RoutesPage() {
  const client = useQueryClient();
  // Health flips and traffic move by the second: poll like the deployments page does.
  const status = useQuery({ queryKey: gatewayKeys.status, queryFn: gatewayApi.status, refetchInterval: 2000 });
  const [editing, setEditing] = useState<RouteDraft | null | "new">(null);
  const refresh = () => void client.invalidateQueries({ queryKey: gatewayKeys.status });
  const save = useMutation({
    mutationFn: (d: RouteDraft) => gatewayApi.saveRoute(d.model, d.targets),
    onSuccess: () => {
      setEditing(null);
      refresh();
    },
  });
  const remove = useMutation({ mutationFn: gatewayApi.deleteRoute, onSettled: refresh });
  const data = status.data;

  return (
    <DashboardShell>
      {status.isError && <ErrorBanner title="Could not load the gateway" detail={status.error.message} onRetry={() => void status.refetch()} />}
      {remove.isError && <ErrorBanner title="Could not delete that route" detail={remove.error.message} />}
      <section className={panel.panel}>
        <header className={panel.head}>
          <h2>Routes</h2>
          <span className={cx(text.muted, text.small)}>what clients ask for → where it goes</span>
          <button type="button" className={cx(button.btn, panel.headAction)} onClick={() => setEditing(editing ? null : "new")} data-testid="gw-route-new">
            {editing ? "Close" : "+ Add a route"}
          </button>
        </header>
        {editing && (
          <RouteForm
            key={editing === "new" ? "new" : editing.model}
            initial={editing === "new" ? null : editing}
            backends={data?.backends.map((b) => b.name) ?? []}
            onSubmit={(d) => save.mutate(d)}
            submitting={save.isPending}
            error={save.error?.message ?? null}
          />
        )}
        {data ? (
          <RoutesTable
            routes={data.routes}
            onEdit={(r) => setEditing({ model: r.model, targets: r.targets })}
            onDelete={(m) => window.confirm(`Delete the route for ${m}?`) && remove.mutate(m)}
          />
        ) : !status.isError && <div className={cx(panel.loading, text.muted)}>Loading routes…</div>}
      </section>
      <div className={styles.grid}>
        <section className={panel.panel}>
          <header className={panel.head}><h2>Backends</h2><span className={cx(text.muted, text.small)}>active checks and circuit breakers</span></header>
          {data && <BackendsTable backends={data.backends} />}
        </section>
        <section className={panel.panel}>
          <header className={panel.head}><h2>Recent failovers</h2></header>
          {data && <FailoversList failovers={data.failovers} />}
        </section>
      </div>
      <section className={panel.panel}>
        <header className={panel.head}><h2>Latest requests</h2><span className={cx(text.muted, text.small)}>the full log: GET /api/gateway/requests</span></header>
        {data && <RecentRequests rows={data.recent} />}
      </section>
    </DashboardShell>
  );
}
