/** The gateway pages' calls to the REST API (`/api/gateway/*`), through the dashboard's one fetch helper. */
import type { ApiKeyView, CreatedApiKey, GatewayStatus, RequestLogEntry, RouteViewDto } from "../../../protocol/gateway";
import { apiFetch } from "../../lib/api";

export const gatewayApi = {
  status: () => apiFetch<GatewayStatus>("/api/gateway/status"),
  saveRoute: (model: string, targets: Array<string | string[]>) =>
    apiFetch<RouteViewDto>("/api/gateway/routes", { method: "POST", body: JSON.stringify({ model, targets }) }),
  deleteRoute: (model: string) => apiFetch<void>(`/api/gateway/routes/${encodeURIComponent(model)}`, { method: "DELETE" }),
  keys: () => apiFetch<ApiKeyView[]>("/api/gateway/keys"),
  createKey: (name: string, models: string[] | null) =>
    apiFetch<CreatedApiKey>("/api/gateway/keys", { method: "POST", body: JSON.stringify({ name, models }) }),
  revokeKey: (id: string) => apiFetch<ApiKeyView>(`/api/gateway/keys/${encodeURIComponent(id)}`, { method: "DELETE" }),
  requests: (limit = 100) => apiFetch<RequestLogEntry[]>(`/api/gateway/requests?limit=${limit}`),
};

export const gatewayKeys = { status: ["gateway", "status"] as const, keys: ["gateway", "keys"] as const };

/**
 * The route form's text → targets: one line per failover tier, equal-rank targets on one line
 * separated by commas. "box1/qwen, box2/qwen\ncloud/claude" → [["box1/qwen","box2/qwen"], "cloud/claude"].
 */
export function parseTargetsText(text: string): Array<string | string[]> {
  return text
    .split(/\n+/)
    .map((line) => line.split(",").map((t) => t.trim()).filter(Boolean))
    .filter((tier) => tier.length > 0)
    .map((tier) => (tier.length === 1 ? tier[0]! : tier));
}

export function targetsToText(targets: Array<string | string[]>): string {
  return targets.map((t) => (Array.isArray(t) ? t.join(", ") : t)).join("\n");
}

/** 1234 → "1,234"; 1234567 → "1.2M". */
export function compact(n: number): string {
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)}M`;
  if (n >= 1e4) return `${(n / 1e3).toFixed(1)}k`;
  return n.toLocaleString("en-US");
}
