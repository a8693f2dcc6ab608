/** The deployments page's calls to the REST API, through the dashboard's one fetch helper. */
import type { CreateDeploymentBody, DeploymentView } from "../../protocol/deployments";
import { apiFetch } from "./api";

const path = (name: string) => `/api/deployments/${encodeURIComponent(name)}`;

export const deploymentsApi = {
  list: () => apiFetch<DeploymentView[]>("/api/deployments"),
  create: (body: CreateDeploymentBody) => apiFetch<DeploymentView>("/api/deployments", { method: "POST", body: JSON.stringify(body) }),
  stop: (name: string) => apiFetch<{ removed: boolean; message: string }>(path(name), { method: "DELETE" }),
  restart: (name: string) => apiFetch<DeploymentView>(`${path(name)}/restart`, { method: "POST" }),
  /** On demand: starts the load and answers at once (the list shows how it goes). */
  load: (name: string) => apiFetch<DeploymentView>(`${path(name)}/load?wait=0`, { method: "POST" }),
  unload: (name: string) => apiFetch<DeploymentView>(`${path(name)}/unload`, { method: "POST" }),
  /** The container's last lines as text (empty when it has none yet). */
  async tail(name: string, lines = 6): Promise<string[]> {
    const res = await fetch(`${path(name)}/logs?tail=${lines}`, { credentials: "same-origin" });
    if (!res.ok) return [];
    return (await res.text()).split("\n").filter((l) => l.length > 0);
  },
  /** Server-sent events: one `message` per log line, `end` when the stream is over. */
  logsUrl: (name: string, tail = 300) => `${path(name)}/logs?follow=1&tail=${tail}`,
};

export const deploymentKeys = { list: ["deployments"] as const };

/** "3m 04s", "2h 10m", "4d 2h": how long it has been serving. */
export function formatUptime(d: Pick<DeploymentView, "state" | "readyAt" | "startedAt">, now: number): string {
  const since = d.state === "ready" || d.state === "unhealthy" ? (d.readyAt ?? d.startedAt) : null;
  if (since === null || now === 0) return "—";
  const s = Math.max(0, Math.floor((now - since) / 1000));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, "0")}s`;
  if (s < 86400) return `${Math.floor(s / 3600)}h ${String(Math.floor((s % 3600) / 60)).padStart(2, "0")}m`;
  return `${Math.floor(s / 86400)}d ${Math.floor((s % 86400) / 3600)}h`;
}
