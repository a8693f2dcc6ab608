"use client";
/** Alerts: what fires now, rules and channels (config file read-only, dashboard ones editable), and the history. */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import type { AlertRuleView } from "../../protocol/alerts";
import { DashboardShell } from "../components/dashboard-shell";
import { ErrorBanner } from "../components/error-banner";
import { alertKeys, alertsApi } from "../components/alerts/alerts-api";
import { ChannelPanel } from "../components/alerts/channel-panel";
import { FiringTable } from "../components/alerts/firing-table";
import { HistoryTable } from "../components/alerts/history-table";
import { RuleForm } from "../components/alerts/rule-form";
import { RulesTable } from "../components/alerts/rules-table";
import { cx } from "../lib/cx";
import button from "../styles/button.module.css";
import panel from "../styles/panel.module.css";
import text from "../styles/text.module.css";

export default function AlertsPage() {
  const client = useQueryClient();
  const firing = useQuery({ queryKey: alertKeys.firing, queryFn: alertsApi.firing, refetchInterval: 3000 });
  const history = useQuery({ queryKey: alertKeys.history, queryFn: alertsApi.history, refetchInterval: 5000 });
  const rules = useQuery({ queryKey: alertKeys.rules, queryFn: alertsApi.rules });
  const channels = useQuery({ queryKey: alertKeys.channels, queryFn: alertsApi.channels });
  const [editing, setEditing] = useState<AlertRuleView | null | "new">(null);
  const save = useMutation({
    mutationFn: alertsApi.saveRule,
    onSuccess: () => {
      setEditing(null);
      void client.invalidateQueries({ queryKey: alertKeys.rules });
    },
  });
  const remove = useMutation({ mutationFn: alertsApi.deleteRule, onSettled: () => void client.invalidateQueries({ queryKey: alertKeys.rules }) });
  const error = firing.error ?? rules.error ?? channels.error;

  return (
    <DashboardShell>
      {error && <ErrorBanner title="Could not load the alerts" detail={error.message} onRetry={() => void client.invalidateQueries({ queryKey: ["alerts"] })} />}
      {remove.isError && <ErrorBanner title="Could not delete that rule" detail={remove.error.message} />}
      <section className={panel.panel}>
        <header className={panel.head}>
          <h2>Firing now</h2>
          <span className={cx(text.muted, text.small)}>{firing.data ? `${firing.data.length} alert${firing.data.length === 1 ? "" : "s"}` : ""}</span>
        </header>
        {firing.data ? <FiringTable firing={firing.data} /> : <div className={cx(panel.loading, text.muted)}>Loading…</div>}
      </section>
      <section className={panel.panel}>
        <header className={panel.head}>
          <h2>Rules</h2>
          <span className={cx(text.muted, text.small)}>a condition held for a while → a notice, and one when it clears</span>
          <button type="button" className={cx(button.btn, panel.headAction)} onClick={() => setEditing(editing ? null : "new")} data-testid="alerts-rule-new">{editing ? "Close" : "+ Add a rule"}</button>
        </header>
        {editing && (
          <RuleForm
            key={editing === "new" ? "new" : editing.name}
            initial={editing === "new" ? null : editing}
            channels={channels.data?.map((c) => c.name) ?? []}
            onSubmit={(r) => save.mutate(r)}
            submitting={save.isPending}
            error={save.error?.message ?? null}
          />
        )}
        {rules.data && <RulesTable rules={rules.data} onEdit={setEditing} onDelete={(n) => window.confirm(`Delete the rule ${n}?`) && remove.mutate(n)} />}
      </section>
      <section className={panel.panel}>
        <header className={panel.head}><h2>Channels</h2><span className={cx(text.muted, text.small)}>where notices go</span></header>
        {channels.data && <ChannelPanel channels={channels.data} />}
      </section>
      <section className={panel.panel}>
        <header className={panel.head}><h2>History</h2><span className={cx(text.muted, text.small)}>fired, resolved, notified where</span></header>
        {history.data ? <HistoryTable history={history.data} /> : <div className={cx(panel.loading, text.muted)}>Loading…</div>}
      </section>
    </DashboardShell>
  );
}
