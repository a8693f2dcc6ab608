/**
 * What the dashboard and API clients see of alerts (`/api/alerts/*`), and the rule kinds both the
 * server and the dashboard's form know. Channel URLs are never here in full: `url` is masked.
 */

/** The alert rules (CONTRACT.md "Alerts", plus disk-usage). */
export const RULE_KINDS = ["node-offline", "gpu-temperature", "gpu-memory", "disk-usage", "deployment-failed", "backend-down", "failover"] as const;
export type AlertRuleKind = (typeof RULE_KINDS)[number];
export type RuleScope = "nodes" | "gpus" | "routes" | "backends" | "deployments";

export interface RuleKindFacts {
  /** What `above` means, when the rule has a threshold. */
  threshold: { unit: string; default: number; max: number } | null;
  /** How long the condition holds before it fires, when `for` is not given. */
  defaultForMs: number;
  /** Scope lists that make sense for it. */
  scopes: readonly RuleScope[];
}

export const KIND_FACTS: Record<AlertRuleKind, RuleKindFacts> = {
  "node-offline": { threshold: null, defaultForMs: 30_000, scopes: ["nodes"] },
  "gpu-temperature": { threshold: { unit: "°C", default: 85, max: 200 }, defaultForMs: 60_000, scopes: ["nodes", "gpus"] },
  "gpu-memory": { threshold: { unit: "%", default: 95, max: 100 }, defaultForMs: 60_000, scopes: ["nodes", "gpus"] },
  "disk-usage": { threshold: { unit: "%", default: 90, max: 100 }, defaultForMs: 300_000, scopes: ["nodes"] },
  "deployment-failed": { threshold: null, defaultForMs: 0, scopes: ["nodes", "deployments"] },
  "backend-down": { threshold: null, defaultForMs: 30_000, scopes: ["backends"] },
  failover: { threshold: null, defaultForMs: 0, scopes: ["routes"] },
};

export interface AlertSubjectView {
  node?: string;
  gpu?: number;
  route?: string;
  backend?: string;
  deployment?: string;
}

/** How a notice's title and the dashboard name what an alert is about. */
export function subjectLabel(s: AlertSubjectView): string {
  if (s.deployment) return `${s.deployment}${s.node ? ` on ${s.node}` : ""}`;
  if (s.route) return s.route;
  if (s.backend) return s.backend;
  if (s.node && s.gpu !== undefined) return `${s.node} GPU ${s.gpu}`;
  return s.node ?? "";
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
