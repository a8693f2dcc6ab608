/** The Alerts page's calls to /api/alerts/* and their react-query keys. */
import type { AlertChannelView, AlertRuleView, AlertsSummary, ChannelTestResult, FiringAlertView, OccurrenceView } from "../../../protocol/alerts";
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
};

export const alertKeys = {
  summary: ["alerts", "summary"] as const,
  firing: ["alerts", "firing"] as const,
  history: ["alerts", "history"] as const,
  rules: ["alerts", "rules"] as const,
  channels: ["alerts", "channels"] as const,
};
