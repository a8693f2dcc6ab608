"use client";
/**
 * "Add a GPU box": a single-use join token with the one-line install (and the `npx` form) for the
 * server address the box can reach; the enrollment token for scripted installs, with rotation;
 * and the agents that were refused. Rendered inline in the empty state and in a dialog.
 */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useMemo, useRef, useState } from "react";
import { agentCommand, installCommand, serverUrlChoices, type JoinTokenIssued } from "../../protocol/enrollment";
import type { EnrollmentInfo } from "../../protocol/live";
import { api, queryKeys } from "../lib/api";
import { cx } from "../lib/cx";
import button from "../styles/button.module.css";
import command from "../styles/command.module.css";
import text from "../styles/text.module.css";
import { AgentRefusals } from "./agent-refusals";
import { CopyButton } from "./copy-button";
import styles from "./enroll-panel.module.css";

function Command({ line, testId }: { line: string; testId: string }) {
  return (
    <div className={command.row}>
      <pre className={command.cmd} data-testid={testId}>
        {line}
      </pre>
      <CopyButton text={line} />
    </div>
  );
}

/** The addresses the box could use; through localhost, the server's LAN addresses first. */
function useServerChoices(info: EnrollmentInfo | undefined): string[] {
  return useMemo(() => {
    if (!info) return [];
    if (typeof window === "undefined") return [info.serverUrl];
    const { protocol, hostname, port } = window.location;
    return serverUrlChoices({ protocol, hostname, port }, info.lanAddresses ?? []);
  }, [info]);
}

function JoinToken({ serverUrl, fingerprint, curlPin }: { serverUrl: string; fingerprint: string | null; curlPin: string | null }) {
  const [issued, setIssued] = useState<JoinTokenIssued | null>(null);
  const make = useMutation({ mutationFn: api.createJoinToken, onSuccess: setIssued });
  return (
    <div className={styles.section}>
      <h3>With a join token (recommended)</h3>
      <p className={cx(text.small, text.muted)}>
        One box, one token: it works once and expires. The box keeps a credential of its own; the token is useless after.
      </p>
      {!issued && (
        <button type="button" className={button.btn} onClick={() => make.mutate()} disabled={make.isPending} data-testid="join-token-make">
          {make.isPending ? "Making…" : "Make a join token"}
        </button>
      )}
      {make.isError && (
        <div className={text.errorText} role="alert">
          {make.error.message}
        </div>
      )}
      {issued && (
        <div className={styles.commands}>
          <span className={cx(text.small, text.muted)}>On the box (Linux, Node.js 20+), as root: installs the agent as a service.</span>
          <Command line={installCommand({ serverUrl, token: issued.token, fingerprint, curlPin })} testId="join-install-command" />
          <span className={cx(text.small, text.muted)}>Or run the agent by hand:</span>
          <Command line={agentCommand(serverUrl, issued.token, fingerprint)} testId="join-agent-command" />
          <span className={cx(text.small, text.muted)}>
            Valid until {new Date(issued.expiresAt).toLocaleTimeString()}, for one box.{" "}
            <button type="button" className={cx(button.btn, button.ghost, button.small)} onClick={() => make.mutate()} data-testid="join-token-another">
              Another token
            </button>
          </span>
        </div>
      )}
    </div>
  );
}

function EnrollmentToken({ info, serverUrl }: { info: EnrollmentInfo; serverUrl: string }) {
  const client = useQueryClient();
  const rotate = useMutation({
    mutationFn: api.rotateEnrollmentToken,
    onSuccess: (next) => client.setQueryData(queryKeys.enrollment, next),
  });
  const fingerprint = info.fingerprint ?? null;
  return (
    <div className={styles.section}>
      <h3>With the enrollment token</h3>
      <p className={cx(text.small, text.muted)}>
        For scripted installs of many boxes: it enrolls any number of them until rotated. Keep it secret.
      </p>
      <Command line={agentCommand(serverUrl, info.agentToken, fingerprint)} testId="enroll-command" />
      <div className={styles.row}>
        <button
          type="button"
          className={cx(button.btn, button.small)}
          data-testid="enroll-rotate"
          disabled={rotate.isPending || info.tokenFromEnv}
          onClick={() => {
            if (window.confirm("Make a new enrollment token? The old one stops working; boxes already added keep working.")) rotate.mutate();
          }}
        >
          Rotate token
        </button>
        {info.tokenFromEnv && <span className={cx(text.small, text.muted)}>Set by SWITCHYARD_AGENT_TOKEN: change it there.</span>}
        {rotate.isError && (
          <span className={cx(text.small, text.errorText)} role="alert">
            {rotate.error.message}
          </span>
        )}
      </div>
    </div>
  );
}

export function EnrollPanel() {
  const q = useQuery({ queryKey: queryKeys.enrollment, queryFn: api.enrollment, staleTime: 60_000 });
  const choices = useServerChoices(q.data);
  const [picked, setPicked] = useState<string | null>(null);
  const serverUrl = picked && choices.includes(picked) ? picked : (choices[0] ?? "");
  return (
    <div className={styles.enroll}>
      <p>
        Add a Linux box with the NVIDIA driver and Node.js 20 or newer. Its agent dials out to this server, so the box
        needs no open ports. The node appears here within seconds (its name: the hostname, or <code>--name NODE</code>).
      </p>
      {q.isPending && <div className={cx(command.cmd, command.loading, text.muted)}>Loading…</div>}
      {q.isError && (
        <div className={text.errorText} role="alert">
          Could not load the enrollment command: {q.error.message}
        </div>
      )}
      {q.data && (
        <>
          <div className={styles.row}>
            <span className={styles.label}>Server</span>
            {choices.length > 1 ? (
              <select className={styles.select} value={serverUrl} onChange={(e) => setPicked(e.target.value)} data-testid="enroll-server" aria-label="Server address the box uses">
                {choices.map((c) => (
                  <option key={c} value={c}>
                    {c}
                  </option>
                ))}
              </select>
            ) : (
              <code data-testid="enroll-server">{serverUrl}</code>
            )}
          </div>
          <JoinToken serverUrl={serverUrl} fingerprint={q.data.fingerprint ?? null} curlPin={q.data.curlPin ?? null} />
          <EnrollmentToken info={q.data} serverUrl={serverUrl} />
          <AgentRefusals />
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
