"use client";
import { useState } from "react";
import { cx } from "../../lib/cx";
import button from "../../styles/button.module.css";
import form from "../../styles/form.module.css";
import text from "../../styles/text.module.css";
import { CopyButton } from "../copy-button";
import gw from "./gateway.module.css";
import styles from "./key-form.module.css";

/** Creates a key; the key itself is shown once, here, right after. */
export function KeyForm({ onSubmit, submitting, error, created, models }: {
  onSubmit(name: string, models: string[] | null): void;
  submitting: boolean;
  error: string | null;
  created: { name: string; key: string } | null;
  models: string[];
}) {
  const [name, setName] = useState("");
  const [allowed, setAllowed] = useState("");
  return (
    <div>
      <form
        className={gw.form}
        data-testid="gw-key-form"
        onSubmit={(e) => {
          e.preventDefault();
          const list = allowed.split(",").map((m) => m.trim()).filter(Boolean);
          onSubmit(name.trim(), list.length ? list : null);
        }}
      >
        <label className={text.label} htmlFor="gw-key-name">Name (who or what uses it)</label>
        <input id="gw-key-name" className={form.input} value={name} onChange={(e) => setName(e.target.value)} placeholder="laptop" required />
        <label className={text.label} htmlFor="gw-key-models">Allowed models, comma-separated (empty: all)</label>
        <input id="gw-key-models" className={form.input} value={allowed} onChange={(e) => setAllowed(e.target.value)} placeholder={models.slice(0, 3).join(", ")} />
        {error && <div className={cx(text.errorText, text.small)}>{error}</div>}
        <div>
          <button type="submit" className={cx(button.btn, button.primary)} disabled={submitting || !name.trim()}>{submitting ? "Creating…" : "Create key"}</button>
        </div>
      </form>
      {created && (
        <div className={styles.secret} data-testid="gw-key-created">
          <span className={text.small}>Key for <b>{created.name}</b>, shown only now:</span>
          <code className={text.mono} data-testid="gw-key-value">{created.key}</code>
          <CopyButton text={created.key} />
        </div>
      )}
    </div>
  );
}
