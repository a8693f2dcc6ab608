"use client";
import { useState } from "react";
import { cx } from "../../lib/cx";
import button from "../../styles/button.module.css";
import form from "../../styles/form.module.css";
import textStyles from "../../styles/text.module.css";
import { parseTargetsText, targetsToText } from "./gateway-api";
import gw from "./gateway.module.css";
import styles from "./route-form.module.css";

export interface RouteDraft {
  model: string;
  targets: Array<string | string[]>;
}

/** Adds or changes a dashboard route: the model clients ask for, then one line per failover tier. */
export function RouteForm({ initial, backends, onSubmit, submitting, error }: {
  initial: RouteDraft | null;
  backends: string[];
  onSubmit(d: RouteDraft): void;
  submitting: boolean;
  error: string | null;
}) {
  const [model, setModel] = useState(initial?.model ?? "");
  const [text, setText] = useState(initial ? targetsToText(initial.targets) : "");
  const targets = parseTargetsText(text);
  return (
    <form
      className={gw.form}
      data-testid="gw-route-form"
      onSubmit={(e) => {
        e.preventDefault();
        onSubmit({ model: model.trim(), targets });
      }}
    >
      <label className={textStyles.label} htmlFor="gw-route-model">Model clients ask for</label>
      <input id="gw-route-model" className={form.input} value={model} onChange={(e) => setModel(e.target.value)} placeholder="claude-sonnet-4-5" required />
      <label className={textStyles.label} htmlFor="gw-route-targets">Targets: BACKEND/MODEL, one failover tier per line; commas share load within a tier</label>
      <textarea
        id="gw-route-targets" className={cx(form.input, styles.targets)} rows={3} value={text} onChange={(e) => setText(e.target.value)}
        placeholder={"box1/glm-4.5-air, box2/glm-4.5-air\ncloud/claude-sonnet-4-5"} required
      />
      <div className={cx(textStyles.muted, textStyles.small)}>Backends: {backends.length ? backends.join(", ") : "none yet"}</div>
      {error && <div className={cx(textStyles.errorText, textStyles.small)}>{error}</div>}
      <div>
        <button type="submit" className={cx(button.btn, button.primary)} disabled={submitting || !model.trim() || targets.length === 0}>
          {submitting ? "Saving…" : "Save route"}
        </button>
      </div>
    </form>
  );
}
