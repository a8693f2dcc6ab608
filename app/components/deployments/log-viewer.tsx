"use client";
/**
 * Live logs of one deployment: the server's SSE stream (`/api/deployments/NAME/logs?follow=1`),
 * newest at the bottom, kept to the last MAX_LINES, following the end unless scrolled up.
 */
import { useEffect, useRef, useState } from "react";
import { cx } from "../../lib/cx";
import { deploymentsApi } from "../../lib/deployments-api";
import button from "../../styles/button.module.css";
import panel from "../../styles/panel.module.css";
import text from "../../styles/text.module.css";
import styles from "./logs.module.css";

const MAX_LINES = 2000;

export function LogViewer({ name, onClose }: { name: string; onClose: () => void }) {
  const [lines, setLines] = useState<string[]>([]);
  const [status, setStatus] = useState<"connecting" | "live" | "ended">("connecting");
  const [endReason, setEndReason] = useState("");
  const box = useRef<HTMLPreElement>(null);
  const stick = useRef(true);

  useEffect(() => {
    setLines([]);
    setStatus("connecting");
    const es = new EventSource(deploymentsApi.logsUrl(name));
    let pending: string[] = [];
    // Batch renders: a chatty engine can print hundreds of lines a second.
    const flush = setInterval(() => {
      if (pending.length === 0) return;
      const add = pending;
      pending = [];
      setLines((prev) => [...prev, ...add].slice(-MAX_LINES));
    }, 100);
    es.onopen = () => setStatus("live");
    es.onmessage = (ev) => pending.push(ev.data as string);
    es.addEventListener("end", (ev) => {
      setEndReason((ev as MessageEvent<string>).data);
      setStatus("ended");
      es.close();
    });
    es.onerror = () => {
      if (es.readyState === EventSource.CLOSED) setStatus("ended");
    };
    return () => {
      clearInterval(flush);
      es.close();
    };
  }, [name]);

  useEffect(() => {
    const el = box.current;
    if (el && stick.current) el.scrollTop = el.scrollHeight;
  }, [lines]);

  return (
    <section className={panel.panel} data-testid="log-viewer">
      <header className={panel.head}>
        <h2>Logs · {name}</h2>
        <span className={cx(text.muted, text.small)}>
          {status === "live" ? "live" : status === "connecting" ? "connecting…" : `ended${endReason ? `: ${endReason}` : ""}`}
        </span>
        <button type="button" className={cx(button.btn, button.small, button.ghost, panel.headAction)} onClick={onClose}>
          Close
        </button>
      </header>
      <pre
        ref={box}
        className={styles.logs}
        data-testid="log-lines"
        onScroll={(e) => {
          const el = e.currentTarget;
          stick.current = el.scrollHeight - el.scrollTop - el.clientHeight < 30;
        }}
      >
        {lines.length === 0 ? <span className={text.muted}>No output yet.</span> : lines.join("\n")}
      </pre>
    </section>
  );
}
