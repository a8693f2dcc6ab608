"use client";
/**
 * The playground: talk to any routable model through the gateway (the dashboard's session, no key
 * to paste), up to four side by side on one prompt, with each answer's time to first token, decode
 * speed, tokens and the backend that answered. Conversations stay in this browser.
 */
import { useQuery } from "@tanstack/react-query";
import { useMemo, useState } from "react";
import { DashboardShell } from "../components/dashboard-shell";
import { ErrorBanner } from "../components/error-banner";
import { Composer } from "../components/playground/composer";
import { ModelPane } from "../components/playground/model-pane";
import { SettingsPanel } from "../components/playground/settings-panel";
import { usePlayground } from "../components/playground/use-playground";
import { deploymentKeys, deploymentsApi } from "../lib/deployments-api";
import { modelsQuery } from "../lib/playground/chat-client";
import { MAX_PANES } from "../lib/playground/chat-types";
import { cx } from "../lib/cx";
import button from "../styles/button.module.css";
import form from "../styles/form.module.css";
import panel from "../styles/panel.module.css";
import text from "../styles/text.module.css";
import styles from "../components/playground/playground.module.css";

const NO_MODELS: string[] = [];

export default function PlaygroundPage() {
  const modelList = useQuery(modelsQuery);
  const models = modelList.data ?? NO_MODELS;
  // Deployments that are not ready yet: their first answer waits for the engine to load (an
  // on-demand one in standby loads on the first message).
  const deployments = useQuery({ queryKey: deploymentKeys.list, queryFn: deploymentsApi.list, refetchInterval: 5000, retry: false });
  const loading = useMemo(
    () => new Map((deployments.data ?? []).filter((d) => d.state !== "ready").map((d) => [d.name, d.state === "standby" ? "standby: loads on the first message" : d.state] as const)),
    [deployments.data],
  );
  const pg = usePlayground(models);
  const [prompt, setPrompt] = useState("");
  const canSend = prompt.trim() !== "" && pg.conv.panes.every((p) => p.model);

  const send = () => {
    if (!canSend || pg.busy) return;
    void pg.send(prompt);
    setPrompt("");
  };

  return (
    <DashboardShell>
      {modelList.isError && <ErrorBanner title="Could not list the models" detail={modelList.error.message} onRetry={() => void modelList.refetch()} />}
      <section className={panel.panel}>
        <header className={panel.head}>
          <h2>Playground</h2>
          <span className={cx(text.muted, text.small)}>any routable model, through the gateway</span>
          <div className={cx(styles.convBar, panel.headAction)}>
            <select
              aria-label="Saved conversations"
              className={cx(form.input, form.compact, styles.convSelect)}
              value={pg.saved.some((c) => c.id === pg.conv.id) ? pg.conv.id : ""}
              onChange={(e) => e.target.value && pg.open(e.target.value)}
              disabled={pg.busy}
              data-testid="pg-conversations"
            >
              <option value="">{pg.saved.length ? `Saved conversations (${pg.saved.length})` : "No saved conversations"}</option>
              {pg.saved.map((c) => <option key={c.id} value={c.id}>{c.title}</option>)}
            </select>
            <button type="button" className={button.btn} onClick={pg.newChat} disabled={pg.busy} data-testid="pg-new">New</button>
            {pg.saved.some((c) => c.id === pg.conv.id) && (
              <button type="button" className={cx(button.btn, button.danger)} onClick={() => pg.remove(pg.conv.id)} disabled={pg.busy}>Delete</button>
            )}
            <button type="button" className={button.btn} onClick={pg.addPane} disabled={pg.busy || pg.conv.panes.length >= MAX_PANES || models.length === 0} data-testid="pg-add-pane">
              + Compare a model
            </button>
          </div>
        </header>
        <SettingsPanel value={pg.conv.settings} onChange={pg.setSettings} disabled={pg.busy} />
      </section>
      {modelList.isSuccess && models.length === 0 && (
        <p className={cx(panel.panel, text.muted)}>No model is routable yet: deploy one (Deployments) or add a route (Routes).</p>
      )}
      <div className={styles.panes} data-count={pg.conv.panes.length}>
        {pg.conv.panes.map((pane, i) => (
          <ModelPane
            key={i}
            index={i}
            pane={pane}
            models={models}
            loading={loading}
            busy={pg.busy}
            settings={pg.conv.settings}
            prompt={prompt}
            onModel={(m) => pg.setModel(i, m)}
            onRemove={pg.conv.panes.length > 1 ? () => pg.removePane(i) : undefined}
          />
        ))}
      </div>
      <Composer value={prompt} onChange={setPrompt} onSend={send} onStop={pg.stop} busy={pg.busy} canSend={canSend} />
    </DashboardShell>
  );
}
