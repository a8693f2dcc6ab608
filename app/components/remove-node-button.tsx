"use client";
/** Forgets an offline node (a retired box, a demo box) with its history, after a confirmation. */
import { useState } from "react";
import { api } from "../lib/api";
import { cx } from "../lib/cx";
import button from "../styles/button.module.css";
import text from "../styles/text.module.css";
import styles from "./remove-node-button.module.css";

export function RemoveNodeButton({ name }: { name: string }) {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  return (
    <span className={styles.remove}>
      <button
        type="button"
        className={cx(button.btn, button.ghost, button.small)}
        data-testid="node-remove"
        disabled={busy}
        onClick={async () => {
          if (!window.confirm(`Remove ${name} and its history? If its agent starts again, it comes back as a new node.`)) return;
          setBusy(true);
          setError(null);
          try {
            await api.removeNode(name);
          } catch (err) {
            setError((err as Error).message);
          } finally {
            setBusy(false);
          }
        }}
      >
        Remove
      </button>
      {error && <span className={cx(text.small, styles.error)} role="alert">{error}</span>}
    </span>
  );
}
