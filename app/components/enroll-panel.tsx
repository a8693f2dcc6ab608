"use client";
/**
 * "Add a GPU box": the one command (with this server's agent token) that enrols a machine.
 * Rendered inline in the empty state and inside a dialog from the top bar.
 */
import { useQuery } from "@tanstack/react-query";
import { useEffect, useRef } from "react";
import { api, queryKeys } from "../lib/api";
import { cx } from "../lib/cx";
import button from "../styles/button.module.css";
import command from "../styles/command.module.css";
import text from "../styles/text.module.css";
import { CopyButton } from "./copy-button";
import styles from "./enroll-panel.module.css";

export function EnrollPanel() {
  const q = useQuery({ queryKey: queryKeys.enrollment, queryFn: api.enrollment, staleTime: 60_000 });
  return (
    <div className={styles.enroll}>
      <p>
        On the GPU box (Linux with the NVIDIA driver and Node.js 20 or newer), run this. The agent dials out to
        this server, so the box needs no open ports.
      </p>
      {q.isPending && <div className={cx(command.cmd, command.loading, text.muted)}>Loading…</div>}
      {q.isError && (
        <div className={text.errorText} role="alert">
          Could not load the enrollment command: {q.error.message}
        </div>
      )}
      {q.data && (
        <>
          <div className={command.row}>
            <pre className={command.cmd} data-testid="enroll-command">
              {q.data.command}
            </pre>
            <CopyButton text={q.data.command} />
          </div>
          <p className={cx(text.small, text.muted)}>
            Server <code>{q.data.serverUrl}</code>. The node appears here within seconds; add{" "}
            <code>--name NODE</code> to choose its name (default: the hostname). Keep the token secret: anyone
            with it can enrol a machine.
          </p>
        </>
      )}
    </div>
  );
}

export function EnrollDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (open && !d.open) d.showModal();
    if (!open && d.open) d.close();
  }, [open]);
  return (
    <dialog
      ref={ref}
      className={styles.dialog}
      onClose={onClose}
      onClick={(e) => {
        // A click on the backdrop lands on the dialog element itself.
        if (e.target === e.currentTarget) onClose();
      }}
      aria-labelledby="enroll-title"
      data-testid="enroll-dialog"
    >
      <div className={styles.body}>
        <header className={styles.head}>
          <h2 id="enroll-title">Add a GPU box</h2>
          <button type="button" className={cx(button.btn, button.ghost)} onClick={onClose} aria-label="Close">
            ✕
          </button>
        </header>
        {open && <EnrollPanel />}
      </div>
    </dialog>
  );
}
