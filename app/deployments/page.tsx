"use client";
/** Deployments: every model Switchyard runs, a form to deploy one more, live logs, stop and restart. */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import type { CreateDeploymentBody } from "../../protocol/deployments";
import { DashboardShell } from "../components/dashboard-shell";
import { DeployForm } from "../components/deployments/deploy-form";
import { DeploymentsTable } from "../components/deployments/deployments-table";
import { LogViewer } from "../components/deployments/log-viewer";
import { ErrorBanner } from "../components/error-banner";
import { cx } from "../lib/cx";
import { deploymentKeys, deploymentsApi } from "../lib/deployments-api";
import button from "../styles/button.module.css";
import panel from "../styles/panel.module.css";
import text from "../styles/text.module.css";

export default function DeploymentsPage() {
  const client = useQueryClient();
  const [formOpen, setFormOpen] = useState(false);
  const [logsOf, setLogsOf] = useState<string | null>(null);
  const [busy, setBusy] = useState<Set<string>>(new Set());
  const [actionError, setActionError] = useState<string | null>(null);
  // Deploys move through their states in about a second on small models: poll briskly.
  const list = useQuery({ queryKey: deploymentKeys.list, queryFn: deploymentsApi.list, refetchInterval: 1000 });
  const refresh = () => void client.invalidateQueries({ queryKey: deploymentKeys.list });

  const create = useMutation({
    mutationFn: (body: CreateDeploymentBody) => deploymentsApi.create(body),
    onSuccess: (d) => {
      // A standby (on-demand) deployment has no container to follow yet.
      if (!d.onDemand) setLogsOf(d.name);
      setFormOpen(false);
      refresh();
    },
  });

  const act = (name: string, what: (n: string) => Promise<unknown>) => {
    setBusy((b) => new Set(b).add(name));
    setActionError(null);
    what(name)
      .catch((err: Error) => setActionError(`${name}: ${err.message}`))
      .finally(() => {
        setBusy((b) => {
          const next = new Set(b);
          next.delete(name);
          return next;
        });
        refresh();
      });
  };

  return (
    <DashboardShell>
      <section className={panel.panel}>
        <header className={panel.head}>
          <h2>Deployments</h2>
          <span className={cx(text.muted, text.small)}>{list.data ? `${list.data.length} on the fleet` : ""}</span>
          <button type="button" className={cx(button.btn, panel.headAction)} onClick={() => setFormOpen((o) => !o)} data-testid="deploy-open">
            {formOpen ? "Close" : "+ Deploy a model"}
          </button>
        </header>
        {formOpen && <DeployForm onSubmit={(b) => create.mutate(b)} submitting={create.isPending} error={create.error?.message ?? null} />}
        {list.isError && <ErrorBanner title="Could not load deployments" detail={list.error.message} onRetry={() => void list.refetch()} />}
        {actionError && <ErrorBanner title="That did not work" detail={actionError} />}
        {list.data ? (
          <DeploymentsTable
            list={list.data}
            actions={{
              busy,
              onLogs: setLogsOf,
              onRestart: (name) => act(name, deploymentsApi.restart),
              onLoad: (name) => act(name, deploymentsApi.load),
              onUnload: (name) => act(name, deploymentsApi.unload),
              onStop: (name) => {
                if (window.confirm(`Stop ${name} and remove its container?`)) {
                  if (logsOf === name) setLogsOf(null);
                  act(name, deploymentsApi.stop);
                }
              },
            }}
          />
        ) : (
          !list.isError && <div className={cx(panel.loading, text.muted)}>Loading deployments…</div>
        )}
      </section>
      {logsOf && <LogViewer key={logsOf} name={logsOf} onClose={() => setLogsOf(null)} />}
    </DashboardShell>
  );
}
