/** The Alerts page's calls to /api/alerts/* and their react-query keys. */
import type { AlertChannelView, AlertRuleView, AlertsSummary, ChannelTestResult, DeliveryView, FiringAlertView, OccurrenceView } from "../../../protocol/alerts";
import { apiFetch } from "../../lib/api";

const enc = encodeURIComponent;

export const alertsApi = {
  summary: () => apiFetch<AlertsSummary>("/api/alerts/summary"),
  firing: () => apiFetch<FiringAlertView[]>("/api/alerts/firing"),
  history: () => apiFetch<OccurrenceView[]>("/api/alerts/history?limit=100"),
  rules: () => apiFetch<AlertRuleView[]>("/api/alerts/rules"),
  saveRule: (rule: Record<string, unknown>) => apiFetch<AlertRuleView>("/api/alerts/rules", { method: "POST", body: JSON.stringify(rule) }),
  deleteRule: (name: string) => apiFetch<void>(`/api/alerts/rules/${enc(name)}`, { method: "DELETE" }),
  channels: () => apiFetch<AlertChannelView[]>("/api/alerts/channels"),
  saveChannel: (name: string, url: string) => apiFetch<AlertChannelView>("/api/alerts/channels", { method: "POST", body: JSON.stringify({ name, url }) }),
  deleteChannel: (name: string) => apiFetch<void>(`/api/alerts/channels/${enc(name)}`, { method: "DELETE" }),
  testChannel: (name: string) => apiFetch<ChannelTestResult>(`/api/alerts/channels/${enc(name)}/test`, { method: "POST" }),
  tests: () => apiFetch<DeliveryView[]>("/api/alerts/tests"),
};

export const alertKeys = {
  summary: ["alerts", "summary"] as const,
  firing: ["alerts", "firing"] as const,
  history: ["alerts", "history"] as const,
  rules: ["alerts", "rules"] as const,
  channels: ["alerts", "channels"] as const,
};

export const RULE_KINDS = ["node-offline", "gpu-temperature", "gpu-memory", "disk-usage", "deployment-failed", "backend-down", "failover"] as const;

/** What each kind takes, for the form (mirrors server/core/alerts/rule-kinds.ts). */
export const KIND_FORM: Record<(typeof RULE_KINDS)[number], { above: string | null; defaultAbove?: number; defaultFor: string; scopes: Array<"nodes" | "gpus" | "routes" | "backends" | "deployments"> }> = {
  "node-offline": { above: null, defaultFor: "30s", scopes: ["nodes"] },
  "gpu-temperature": { above: "°C", defaultAbove: 85, defaultFor: "60s", scopes: ["nodes", "gpus"] },
  "gpu-memory": { above: "% used", defaultAbove: 95, defaultFor: "60s", scopes: ["nodes", "gpus"] },
  "disk-usage": { above: "% full", defaultAbove: 90, defaultFor: "5m", scopes: ["nodes"] },
  "deployment-failed": { above: null, defaultFor: "0s", scopes: ["nodes", "deployments"] },
  "backend-down": { above: null, defaultFor: "30s", scopes: ["backends"] },
  failover: { above: null, defaultFor: "0s", scopes: ["routes"] },
};

export function subjectText(s: { node?: string; gpu?: number; route?: string; backend?: string; deployment?: string }): string {
  if (s.deployment) return `${s.deployment}${s.node ? ` on ${s.node}` : ""}`;
  if (s.route) return `route ${s.route}`;
  if (s.backend) return `backend ${s.backend}`;
  if (s.node && s.gpu !== undefined) return `${s.node} · GPU ${s.gpu}`;
  return s.node ?? "—";
}
