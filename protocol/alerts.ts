/**
 * What the dashboard and API clients see of alerts (`/api/alerts/*`). Types only. Channel URLs are
 * never here in full: `url` is masked.
 */
export type AlertRuleKind = "node-offline" | "gpu-temperature" | "gpu-memory" | "disk-usage" | "deployment-failed" | "backend-down" | "failover";

export interface AlertSubjectView {
  node?: string;
  gpu?: number;
  route?: string;
  backend?: string;
  deployment?: string;
}

export interface FiringAlertView {
  rule: string;
  kind: string;
  key: string;
  subject: AlertSubjectView;
  message: string;
  firingSince: number;
  notifiedAt: number | null;
  occurrenceId: number;
}

export interface DeliveryView {
  id: number;
  channel: string;
  /** firing | repeat | resolved | test */
  notice: string;
  status: "pending" | "sent" | "failed";
  attempts: number;
  error: string | null;
  at: number;
}

export interface OccurrenceView {
  id: number;
  rule: string;
  kind: string;
  subject: AlertSubjectView;
  message: string;
  firedAt: number;
  resolvedAt: number | null;
  deliveries: DeliveryView[];
}

export interface AlertRuleView {
  name: string;
  source: "config" | "ui";
  when: AlertRuleKind;
  above?: number;
  /** Durations as text ("30s", "5m"). */
  for: string;
  repeat?: string;
  notify: string[];
  resolved?: boolean;
  quietHours?: { from: string; to: string; timezone?: string };
  nodes?: string[];
  gpus?: number[];
  routes?: string[];
  backends?: string[];
  deployments?: string[];
  restarts?: number;
  window?: string;
}

export interface AlertChannelView {
  name: string;
  kind: "webhook" | "ntfy" | "discord" | "slack" | "email";
  source: "config" | "ui";
  /** The URL with credentials, tokens, topics and webhook paths cut to a hint. */
  url: string;
  problem: string | null;
}

export interface AlertsSummary {
  firing: number;
}

export interface ChannelTestResult {
  ok: boolean;
  error: string | null;
}
