"use client";
import type { LiveStatus } from "../lib/live-connection";

const LABELS: Record<LiveStatus, string> = {
  live: "live",
  connecting: "connecting…",
  reconnecting: "reconnecting…",
};

export function LiveIndicator({ status }: { status: LiveStatus }) {
  return (
    <span
      className={`live-indicator live-${status}`}
      data-testid="live-indicator"
      data-status={status}
      role="status"
      aria-live="polite"
      title={status === "live" ? "Receiving live telemetry" : "Live telemetry paused; retrying"}
    >
      <span className="live-dot" aria-hidden="true" />
      {LABELS[status]}
    </span>
  );
}
