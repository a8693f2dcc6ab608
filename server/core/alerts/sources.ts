/**
 * Thin adapters from what the server already has to the rules' inputs: the live fleet (nodes,
 * GPUs, processes, disks), deployments (state, restarts, last log lines, PIDs) and the gateway
 * (backend health; every finished request, for failovers). Read once per evaluation, not per sample.
 */
import type { NodeView } from "../../../protocol/live";
import type { DeploymentView } from "../../../protocol/deployments";
import type { AlertInputs, BackendFacts, RouteFacts } from "./conditions/inputs";
import { FailoverTracker, RestartTracker, type FinishedRequest } from "./trackers";

export interface FleetSource {
  list(): NodeView[];
}

export interface DeploymentSource {
  list(): DeploymentView[];
  deploymentOfPid(node: string, pid: number): string | null;
}

/** What the alerts read of the gateway (server/gateway/gateway.ts). */
export interface GatewaySource {
  healthViews(): ReadonlyMap<string, { up: boolean | null; error: string | null; breaker: { reason: string | null } }>;
  backends(): ReadonlyMap<string, { kind: string }>;
  resolve(model: string): { tiers: Array<Array<{ id: string; backend: string }>> } | null;
  onFinished(listener: (r: FinishedRequest) => void): () => void;
}

export interface AlertSources {
  fleet: FleetSource;
  deployments?: DeploymentSource | null;
  gateway?: GatewaySource | null;
}

/** How long restart times are remembered: the longest loop window a rule may have. */
const RESTART_MEMORY_MS = 30 * 86_400_000;

export function createInputs(sources: AlertSources): { inputs(now: number): AlertInputs; close(): void } {
  const restarts = new RestartTracker();
  const failovers = new FailoverTracker();
  const off = sources.gateway?.onFinished((r) => failovers.record(r)) ?? (() => {});

  const routes = (): RouteFacts[] => {
    const gw = sources.gateway;
    if (!gw) return [];
    const out: RouteFacts[] = [];
    const health = gw.healthViews();
    const backends = gw.backends();
    for (const model of failovers.models()) {
      const route = gw.resolve(model);
      if (!route) {
        failovers.forget(model);
        continue;
      }
      const served = failovers.served(model);
      if (!served || route.tiers.length < 2) continue;
      const first = route.tiers[0]!;
      const h = health.get(first[0]!.backend);
      out.push({
        route: model, primary: first.map((t) => t.id), primaryKinds: first.map((t) => backends.get(t.backend)?.kind ?? "unknown"),
        servedBy: served.target, since: served.since, why: served.why ?? h?.error ?? h?.breaker.reason ?? null,
      });
    }
    return out;
  };

  return {
    inputs(now) {
      const deployments = sources.deployments?.list() ?? [];
      const times = restarts.update(deployments, now, RESTART_MEMORY_MS);
      const backends: BackendFacts[] = [];
      if (sources.gateway) {
        const kinds = sources.gateway.backends();
        for (const [name, h] of sources.gateway.healthViews()) backends.push({ name, up: h.up, error: h.error, kind: kinds.get(name)?.kind ?? "unknown" });
      }
      return {
        nodes: sources.fleet.list(),
        deploymentOfPid: (node, pid) => sources.deployments?.deploymentOfPid(node, pid) ?? null,
        deployments: deployments.map((d) => ({ name: d.name, node: d.node, state: d.state, desired: d.desired, reason: d.reason, logs: d.logs, restartTimes: times.get(d.name) ?? [] })),
        backends,
        routes: routes(),
      };
    },
    close: off,
  };
}
