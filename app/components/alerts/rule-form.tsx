"use client";
/** Creates or edits a dashboard rule: the config file's shape, field by field. */
import { useState } from "react";
import { KIND_FACTS, RULE_KINDS, type AlertRuleView } from "../../../protocol/alerts";
import { formatDuration } from "../../../protocol/duration";
import styles from "./alerts.module.css";
import { cx } from "../../lib/cx";
import button from "../../styles/button.module.css";
import form from "../../styles/form.module.css";
import text from "../../styles/text.module.css";

type Kind = (typeof RULE_KINDS)[number];
const list = (s: string) => s.split(",").map((x) => x.trim()).filter(Boolean);

export function RuleForm({ initial, channels, onSubmit, submitting, error }: {
  initial: AlertRuleView | null;
  channels: string[];
  onSubmit(rule: Record<string, unknown>): void;
  submitting: boolean;
  error: string | null;
}) {
  const [name, setName] = useState(initial?.name ?? "");
  const [when, setWhen] = useState<Kind>(initial?.when ?? "gpu-temperature");
  const [above, setAbove] = useState(initial?.above?.toString() ?? "");
  const [forText, setFor] = useState(initial?.for ?? "");
  const [repeat, setRepeat] = useState(initial?.repeat ?? "");
  const [notify, setNotify] = useState<string[]>(initial?.notify ?? []);
  const [scope, setScope] = useState<Record<string, string>>({
    nodes: initial?.nodes?.join(", ") ?? "", gpus: initial?.gpus?.join(", ") ?? "", routes: initial?.routes?.join(", ") ?? "",
    backends: initial?.backends?.join(", ") ?? "", deployments: initial?.deployments?.join(", ") ?? "",
  });
  const [quietFrom, setQuietFrom] = useState(initial?.quietHours?.from ?? "");
  const [quietTo, setQuietTo] = useState(initial?.quietHours?.to ?? "");
  const [sendResolved, setSendResolved] = useState(initial?.resolved ?? true);
  const kind = KIND_FACTS[when];

  const submit = () => {
    const rule: Record<string, unknown> = { name: name.trim(), when, notify };
    if (kind.threshold && above.trim()) rule.above = Number(above);
    if (forText.trim()) rule.for = forText.trim();
    if (repeat.trim()) rule.repeat = repeat.trim();
    if (!sendResolved) rule.resolved = false;
    if (quietFrom && quietTo) rule.quietHours = { from: quietFrom, to: quietTo, timezone: Intl.DateTimeFormat().resolvedOptions().timeZone };
    for (const s of kind.scopes) {
      const items = list(scope[s] ?? "");
      if (items.length) rule[s] = s === "gpus" ? items.map(Number) : items;
    }
    onSubmit(rule);
  };

  return (
    <form className={styles.form} data-testid="alerts-rule-form" onSubmit={(e) => { e.preventDefault(); submit(); }}>
      <div className={styles.field}>
        <label className={text.label} htmlFor="alerts-rule-name">Name</label>
        <input id="alerts-rule-name" className={form.input} value={name} onChange={(e) => setName(e.target.value)} placeholder="hot-gpus" required disabled={initial !== null} />
      </div>
      <div className={styles.field}>
        <label className={text.label} htmlFor="alerts-rule-when">When</label>
        <select id="alerts-rule-when" className={form.input} value={when} onChange={(e) => setWhen(e.target.value as Kind)}>
          {RULE_KINDS.map((k) => <option key={k} value={k}>{k}</option>)}
        </select>
      </div>
      {kind.threshold && (
        <div className={styles.field}>
          <label className={text.label} htmlFor="alerts-rule-above">Above ({kind.threshold.unit === "%" ? "% used" : kind.threshold.unit})</label>
          <input id="alerts-rule-above" className={form.input} type="number" value={above} onChange={(e) => setAbove(e.target.value)} placeholder={String(kind.threshold.default)} />
        </div>
      )}
      <div className={styles.field}>
        <label className={text.label} htmlFor="alerts-rule-for">For (held this long)</label>
        <input id="alerts-rule-for" className={form.input} value={forText} onChange={(e) => setFor(e.target.value)} placeholder={formatDuration(kind.defaultForMs)} />
      </div>
      <div className={styles.field}>
        <label className={text.label} htmlFor="alerts-rule-repeat">Repeat every (empty: once)</label>
        <input id="alerts-rule-repeat" className={form.input} value={repeat} onChange={(e) => setRepeat(e.target.value)} placeholder="1h" />
      </div>
      {kind.scopes.map((s) => (
        <div className={styles.field} key={s}>
          <label className={text.label} htmlFor={`alerts-rule-${s}`}>Only {s} (comma-separated{s === "gpus" ? " indices" : ", * wildcards"})</label>
          <input id={`alerts-rule-${s}`} className={cx(form.input, text.mono)} value={scope[s] ?? ""} onChange={(e) => setScope({ ...scope, [s]: e.target.value })} placeholder="all" />
        </div>
      ))}
      <div className={styles.field}>
        <label className={text.label} htmlFor="alerts-rule-quiet-from">Quiet hours (local time)</label>
        <div className={styles.checks}>
          <input id="alerts-rule-quiet-from" className={form.input} type="time" value={quietFrom} onChange={(e) => setQuietFrom(e.target.value)} aria-label="quiet from" />
          <input className={form.input} type="time" value={quietTo} onChange={(e) => setQuietTo(e.target.value)} aria-label="quiet to" />
        </div>
      </div>
      <div className={cx(styles.field, styles.wide)}>
        <span className={text.label}>Notify</span>
        <div className={styles.checks}>
          {channels.length === 0 && <span className={cx(text.muted, text.small)}>Add a channel first.</span>}
          {channels.map((c) => (
            <label key={c} className={styles.check}>
              <input type="checkbox" checked={notify.includes(c)} onChange={(e) => setNotify(e.target.checked ? [...notify, c] : notify.filter((n) => n !== c))} data-testid="alerts-rule-notify" data-channel={c} />
              {c}
            </label>
          ))}
          <label className={styles.check}>
            <input type="checkbox" checked={sendResolved} onChange={(e) => setSendResolved(e.target.checked)} /> send a resolved notice
          </label>
        </div>
      </div>
      {error && <div className={cx(text.errorText, text.small, styles.wide)} data-testid="alerts-rule-error">{error}</div>}
      <div><button type="submit" className={cx(button.btn, button.primary)} disabled={submitting}>{submitting ? "Saving…" : "Save rule"}</button></div>
    </form>
  );
}
