"use client";
/**
 * Removes a node after a confirmation: its credential is revoked (the box can join again only
 * with a new join token), and it is forgotten with its history. An online node is cut off first:
 * the way to shut out a box that is no longer trusted.
 */
import { useState } from "react";
import { api } from "../lib/api";
import { cx } from "../lib/cx";
import button from "../styles/button.module.css";
import text from "../styles/text.module.css";
import styles from "./remove-node-button.module.css";

export function RemoveNodeButton({ name, online = false }: { name: string; online?: boolean }) {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const question = online
    ? `Cut ${name} off now? Its agent is disconnected and its credential revoked; ${name} is removed with its history, and its deployments are forgotten (their containers keep running on the box). If the box holds the enrollment token, rotate it too (Add a GPU box).`
    : `Remove ${name} and its history? Its credential is revoked: the box can join again only with a new join token.`;
  return (
    <span className={styles.remove}>
      <button
        type="button"
        className={cx(button.btn, button.ghost, button.small)}
        data-testid={online ? "node-cut-off" : "node-remove"}
        disabled={busy}
        onClick={async () => {
          if (!window.confirm(question)) return;
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
        {online ? "Cut off" : "Remove"}
      </button>
      {error && <span className={cx(text.small, styles.error)} role="alert">{error}</span>}
    </span>
  );
}
