/** `switchyard ps`: deployments with node, GPUs, state, endpoint and uptime. */
import type { DeploymentView } from "../../protocol/deployments";
import type { ApiClient } from "../client";
import { table } from "../format";

export function uptime(d: DeploymentView, now = Date.now()): string {
  const since = d.state === "ready" || d.state === "unhealthy" ? (d.readyAt ?? d.startedAt) : null;
  if (since === null) return "-";
  const s = Math.max(0, Math.round((now - since) / 1000));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`;
  if (s < 86400) return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, "0")}m`;
  return `${Math.floor(s / 86400)}d${Math.floor((s % 86400) / 3600)}h`;
}

export function renderDeployments(list: DeploymentView[], now = Date.now()): string {
  if (list.length === 0) return "No deployments. Deploy one: switchyard deploy llamacpp /path/to/model.gguf";
  const rows = [["NAME", "NODE", "ENGINE", "GPUS", "STATE", "ENDPOINT", "UPTIME", "MODEL"]];
  for (const d of list) {
    const state = d.nodeOnline || d.state === "standby" ? d.state : `${d.state} (node offline)`;
    rows.push([d.name, d.node, d.engine, d.gpus.length ? d.gpus.join(",") : "cpu", state, d.endpoint ?? "-", uptime(d, now), d.model]);
  }
  const reasons = list.filter((d) => d.reason && (d.state === "failed" || d.state === "unhealthy" || d.state === "standby")).map((d) => `${d.name}: ${d.reason}`);
  return [table(rows), ...reasons].join("\n");
}

export async function psCommand(client: ApiClient, args: { json: boolean }): Promise<string> {
  const list = await client.get<DeploymentView[]>("/api/deployments");
  return args.json ? JSON.stringify(list, null, 2) : renderDeployments(list);
}
