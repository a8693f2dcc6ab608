"use client";
import { cx } from "../lib/cx";
import type { LiveStatus } from "../lib/live-connection";
import styles from "./live-indicator.module.css";

const LABELS: Record<LiveStatus, string> = {
  live: "live",
  connecting: "connecting…",
  reconnecting: "reconnecting…",
};

export function LiveIndicator({ status }: { status: LiveStatus }) {
  return (
    <span
      className={cx(styles.indicator, styles[status])}
      data-testid="live-indicator"
      data-status={status}
      role="status"
      aria-live="polite"
      title={status === "live" ? "Receiving live telemetry" : "Live telemetry paused; retrying"}
    >
      <span className={styles.dot} aria-hidden="true" />
      {LABELS[status]}
    </span>
  );
}
