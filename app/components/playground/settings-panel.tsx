"use client";
/** The request's settings, shared by every model on the page: system prompt and sampling. */
import type { ChatSettings } from "../../lib/playground/chat-types";
import { cx } from "../../lib/cx";
import form from "../../styles/form.module.css";
import text from "../../styles/text.module.css";
import styles from "./playground.module.css";

const FIELDS: Array<{ key: Exclude<keyof ChatSettings, "system" | "stop">; label: string; placeholder: string }> = [
  { key: "temperature", label: "Temperature", placeholder: "default" },
  { key: "maxTokens", label: "Max tokens", placeholder: "default" },
  { key: "topP", label: "Top-p", placeholder: "default" },
];

export function SettingsPanel({ value, onChange, disabled }: { value: ChatSettings; onChange(v: ChatSettings): void; disabled: boolean }) {
  const set = (k: keyof ChatSettings, v: string) => onChange({ ...value, [k]: v });
  return (
    <div className={styles.settings}>
      <label className={styles.field}>
        <span className={text.label}>System prompt</span>
        <textarea className={cx(form.input, form.compact)} rows={2} value={value.system} onChange={(e) => set("system", e.target.value)} disabled={disabled} data-testid="pg-system" />
      </label>
      <div className={styles.sampling}>
        {FIELDS.map((f) => (
          <label key={f.key} className={styles.field}>
            <span className={text.label}>{f.label}</span>
            <input className={cx(form.input, form.compact)} inputMode="decimal" value={value[f.key]} placeholder={f.placeholder} onChange={(e) => set(f.key, e.target.value)} disabled={disabled} data-testid={`pg-${f.key}`} />
          </label>
        ))}
        <label className={styles.field}>
          <span className={text.label}>Stop (one per line)</span>
          <textarea className={cx(form.input, form.compact)} rows={1} value={value.stop} onChange={(e) => set("stop", e.target.value)} disabled={disabled} data-testid="pg-stop" />
        </label>
      </div>
    </div>
  );
}
