"use client";
/** Channels: their kind and masked URL, a test button each, and a form for dashboard channels. */
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import type { AlertChannelView, ChannelTestResult } from "../../../protocol/alerts";
import { alertKeys, alertsApi } from "./alerts-api";
import styles from "./alerts.module.css";

const EXAMPLES = "ntfy://ntfy.sh/my-gpus · https://host/hook · discord://ID/TOKEN · slack://T/B/X · smtp://user:pass@mail:587/?to=me@example.com";

export function ChannelPanel({ channels }: { channels: AlertChannelView[] }) {
  const client = useQueryClient();
  const [name, setName] = useState("");
  const [url, setUrl] = useState("");
  const [results, setResults] = useState<Record<string, ChannelTestResult | "sending">>({});
  const refresh = () => void client.invalidateQueries({ queryKey: alertKeys.channels });
  const save = useMutation({
    mutationFn: () => alertsApi.saveChannel(name.trim(), url.trim()),
    onSuccess: () => {
      setName("");
      setUrl("");
      refresh();
    },
  });
  const remove = useMutation({ mutationFn: alertsApi.deleteChannel, onSettled: refresh });
  const test = async (channel: string) => {
    setResults((r) => ({ ...r, [channel]: "sending" }));
    try {
      const result = await alertsApi.testChannel(channel);
      setResults((r) => ({ ...r, [channel]: result }));
    } catch (err) {
      setResults((r) => ({ ...r, [channel]: { ok: false, error: (err as Error).message } }));
    }
  };

  return (
    <>
      <form className={styles.form} data-testid="alerts-channel-form" onSubmit={(e) => { e.preventDefault(); save.mutate(); }}>
        <div className={styles.field}>
          <label className="label" htmlFor="alerts-channel-name">Name</label>
          <input id="alerts-channel-name" className="input" value={name} onChange={(e) => setName(e.target.value)} placeholder="phone" required />
        </div>
        <div className={`${styles.field} ${styles.wide}`}>
          <label className="label" htmlFor="alerts-channel-url">URL (the scheme picks the kind; shown masked from then on)</label>
          <input id="alerts-channel-url" className="input mono" value={url} onChange={(e) => setUrl(e.target.value)} placeholder={EXAMPLES} autoComplete="off" spellCheck={false} required />
        </div>
        {save.isError && <div className={`error-text small ${styles.wide}`} data-testid="alerts-channel-error">{save.error.message}</div>}
        {remove.isError && <div className={`error-text small ${styles.wide}`}>{remove.error.message}</div>}
        <div><button type="submit" className="btn btn-primary" disabled={save.isPending}>{save.isPending ? "Saving…" : "Save channel"}</button></div>
      </form>
      {channels.length === 0 ? <div className="empty muted">No channels yet: add one above, or in the config file&apos;s alerts.channels.</div> : (
        <div className="table-wrap">
          <table className="table" data-testid="alerts-channels">
            <thead><tr><th>Name</th><th>Kind</th><th>URL</th><th /></tr></thead>
            <tbody>
              {channels.map((c) => {
                const r = results[c.name];
                return (
                  <tr key={c.name} data-testid="alerts-channel" data-name={c.name}>
                    <td><b>{c.name}</b><div className="muted small">{c.source === "config" ? "config file" : "dashboard"}</div></td>
                    <td>{c.kind}</td>
                    <td className="mono small" data-testid="alerts-channel-url">{c.url}{c.problem && <div className="error-text">{c.problem}</div>}</td>
                    <td><div className={styles.actions}>
                      {r && r !== "sending" && (
                        <span className={`${styles.testResult} ${r.ok ? styles.ok : styles.bad}`} data-testid="alerts-test-result" data-ok={String(r.ok)}>
                          {r.ok ? "sent" : `failed: ${r.error}`}
                        </span>
                      )}
                      <button type="button" className="btn btn-small" disabled={r === "sending"} onClick={() => void test(c.name)} data-testid="alerts-channel-test">
                        {r === "sending" ? "Sending…" : "Send test"}
                      </button>
                      {c.source === "ui" && (
                        <button type="button" className="btn btn-small btn-ghost" onClick={() => window.confirm(`Delete the channel ${c.name}?`) && remove.mutate(c.name)} data-testid="alerts-channel-delete">Delete</button>
                      )}
                    </div></td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
