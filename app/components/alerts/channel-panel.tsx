"use client";
/** Channels: their kind and masked URL, a test button each, and a form for dashboard channels. */
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import type { AlertChannelView, ChannelTestResult } from "../../../protocol/alerts";
import { alertKeys, alertsApi } from "./alerts-api";
import styles from "./alerts.module.css";
import { cx } from "../../lib/cx";
import button from "../../styles/button.module.css";
import form from "../../styles/form.module.css";
import panel from "../../styles/panel.module.css";
import table from "../../styles/table.module.css";
import text from "../../styles/text.module.css";

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
          <label className={text.label} htmlFor="alerts-channel-name">Name</label>
          <input id="alerts-channel-name" className={form.input} value={name} onChange={(e) => setName(e.target.value)} placeholder="phone" required />
        </div>
        <div className={cx(styles.field, styles.wide)}>
          <label className={text.label} htmlFor="alerts-channel-url">URL (the scheme picks the kind; shown masked from then on)</label>
          <input id="alerts-channel-url" className={cx(form.input, text.mono)} value={url} onChange={(e) => setUrl(e.target.value)} placeholder={EXAMPLES} autoComplete="off" spellCheck={false} required />
        </div>
        {save.isError && <div className={cx(text.errorText, text.small, styles.wide)} data-testid="alerts-channel-error">{save.error.message}</div>}
        {remove.isError && <div className={cx(text.errorText, text.small, styles.wide)}>{remove.error.message}</div>}
        <div><button type="submit" className={cx(button.btn, button.primary)} disabled={save.isPending}>{save.isPending ? "Saving…" : "Save channel"}</button></div>
      </form>
      {channels.length === 0 ? <div className={cx(panel.empty, text.muted)}>No channels yet: add one above, or in the config file&apos;s alerts.channels.</div> : (
        <div className={table.wrap}>
          <table className={table.table} data-testid="alerts-channels">
            <thead><tr><th>Name</th><th>Kind</th><th>URL</th><th /></tr></thead>
            <tbody>
              {channels.map((c) => {
                const r = results[c.name];
                return (
                  <tr key={c.name} data-testid="alerts-channel" data-name={c.name}>
                    <td><b>{c.name}</b><div className={cx(text.muted, text.small)}>{c.source === "config" ? "config file" : "dashboard"}</div></td>
                    <td>{c.kind}</td>
                    <td className={cx(text.mono, text.small)} data-testid="alerts-channel-url">{c.url}{c.problem && <div className={text.errorText}>{c.problem}</div>}</td>
                    <td><div className={styles.actions}>
                      {r && r !== "sending" && (
                        <span className={cx(styles.testResult, r.ok ? styles.ok : styles.bad)} data-testid="alerts-test-result" data-ok={String(r.ok)}>
                          {r.ok ? "sent" : `failed: ${r.error}`}
                        </span>
                      )}
                      <button type="button" className={cx(button.btn, button.small)} disabled={r === "sending"} onClick={() => void test(c.name)} data-testid="alerts-channel-test">
                        {r === "sending" ? "Sending…" : "Send test"}
                      </button>
                      {c.source === "ui" && (
                        <button type="button" className={cx(button.btn, button.small, button.ghost)} onClick={() => window.confirm(`Delete the channel ${c.name}?`) && remove.mutate(c.name)} data-testid="alerts-channel-delete">Delete</button>
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
