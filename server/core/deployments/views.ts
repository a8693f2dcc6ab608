/** Records → what the API shows: the endpoint, and the VRAM its processes really hold. */
import type { DeploymentView, RoutableBackend } from "../../../protocol/deployments";
import { formatModelRef } from "../../../protocol/model-ref";
import type { DeploymentsContext } from "./context";
import type { DeploymentRecord } from "./types";

/** Base URL (no /v1) where the node publishes the deployment's port; none without a container (its port is free again). */
export function endpointOf(ctx: DeploymentsContext, r: DeploymentRecord): string | null {
  const address = ctx.hub.remoteAddress?.(r.node) ?? null;
  if (!r.port || !address || r.containerId === null) return null;
  return `http://${address.includes(":") ? `[${address}]` : address}:${r.port}`;
}

/** Sum of the per-process GPU memory of the container's processes (host PIDs), from live telemetry. */
export function vramOf(ctx: DeploymentsContext, r: DeploymentRecord): number | null {
  if (r.spec.gpus.length === 0 || r.pids.length === 0) return null;
  const pids = new Set(r.pids);
  const procs = (ctx.fleet.get(r.node)?.processes ?? []).filter((p) => pids.has(p.pid));
  if (procs.length === 0) return null;
  return procs.reduce((sum, p) => sum + (p.usedMiB ?? 0), 0);
}

const STARTING = new Set(["pending", "pulling", "starting"]);

export function toView(ctx: DeploymentsContext, r: DeploymentRecord): DeploymentView {
  const onDemand = ctx.ondemand?.view(r);
  // On demand, every step of a start reads as one: standby → loading → ready.
  const state = onDemand && STARTING.has(r.state) ? "loading" : r.state;
  return {
    id: r.id, name: r.name, node: r.node, engine: r.spec.engine, model: formatModelRef(r.spec.model), image: r.spec.image,
    gpus: r.spec.gpus, state, desired: r.desired, reason: r.reason, logs: r.logs, port: r.port,
    endpoint: endpointOf(ctx, r), servedName: r.spec.servedName, ctx: r.spec.ctx ?? null, restart: r.spec.restart,
    extraArgs: r.spec.extraArgs, createdAt: r.createdAt, startedAt: r.startedAt, readyAt: r.readyAt, restarts: r.restarts,
    progress: r.progress, vramMiB: vramOf(ctx, r), nodeOnline: ctx.hub.isConnected(r.node), warnings: r.warnings,
    options: r.spec.options,
    ...(onDemand ? { onDemand } : {}),
  };
}

/**
 * Every deployment as a backend the gateway can route to by its name. An on-demand one is
 * routable cold too (no URL until it loads): the gateway asks the load manager before sending.
 */
export function routableBackends(ctx: DeploymentsContext): RoutableBackend[] {
  const out: RoutableBackend[] = [];
  for (const r of ctx.store.all()) {
    if (r.desired !== "running") continue;
    const url = endpointOf(ctx, r);
    const apiKey = ctx.apiKeys.get(r.id) ?? null;
    if (r.onDemand) {
      const warm = url !== null && (ctx.ondemand?.isWarm(r) ?? false);
      out.push({ name: r.name, url: warm ? url : "", api: "openai", model: r.spec.servedName, ready: warm, apiKey, onDemand: { id: r.id, warm } });
      continue;
    }
    if (!url) continue;
    out.push({ name: r.name, url, api: "openai", model: r.spec.servedName, ready: r.state === "ready", apiKey });
  }
  return out;
}
