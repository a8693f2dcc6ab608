/** What the load manager's parts share: the deployments core, the cluster, leases and the loads under way. */
import type { LoadOutcomeView } from "../../../protocol/ondemand";
import type { Cluster } from "../cluster/cluster";
import type { DeploymentsContext } from "../deployments/context";
import type { DeploymentRecord } from "../deployments/types";
import type { LocalActivity, RemoteActivity } from "./activity";
import type { EstimateCache } from "./estimates";
import type { Leases } from "./leases";
import type { PoolKey } from "./room";
import { SingleFlight } from "./single-flight";

/** Memory an unload released that telemetry shows only a sample or two later. */
export interface Credit {
  node: string;
  pool: PoolKey;
  bytes: number;
  at: number;
}

export interface OnDemandContext {
  d: DeploymentsContext;
  cluster: Cluster;
  leases: Leases;
  /** Requests in flight on the other servers (a control plane of several), and what this one tells them. */
  remote: RemoteActivity;
  local: LocalActivity;
  estimates: EstimateCache;
  /** One load per deployment: every waiter joins it. */
  flights: SingleFlight<string, void>;
  /** Requests waiting for a load, per deployment: it is not idle, and not a victim, while they wait. */
  waiting: Map<string, number>;
  /** Unloads under way: the deployment is cold from their first moment. */
  unloading: Map<string, Promise<void>>;
  loadingSince: Map<string, number>;
  outcomes: Map<string, LoadOutcomeView>;
  /** Nodes each deployment has run on (its model files and image are there). */
  ranOn: Map<string, Set<string>>;
  credits: Credit[];
  /** The set of warm deployments changed: the gateway re-reads its backends. */
  changed(): void;
}

export function isOnDemand(r: DeploymentRecord | null): r is DeploymentRecord & { onDemand: NonNullable<DeploymentRecord["onDemand"]> } {
  return r !== null && r.onDemand !== null;
}

/** Its engine sleeps: the container runs, the weights wait in CPU memory (vLLM sleep mode). */
export function isSleeping(r: DeploymentRecord): boolean {
  return r.state === "standby" && r.containerId !== null;
}

/** Serving now, and not on its way out: a request may be sent to it at once. */
export function isWarm(o: OnDemandContext, r: DeploymentRecord): boolean {
  return r.desired === "running" && (r.state === "ready" || r.state === "unhealthy") && r.containerId !== null && r.port !== null && !o.unloading.has(r.id);
}

/** Requests that keep it from being unloaded: in flight through the gateway, or waiting for its load (here, or on another server). */
export function busyCount(o: OnDemandContext, id: string): number {
  return o.leases.count(id) + (o.waiting.get(id) ?? 0) + o.remote.busyCount(id, o.d.now());
}

/** Deployments with requests in flight or waiting on this server. */
export function busyHere(o: OnDemandContext): string[] {
  return [...new Set([...o.leases.busy(), ...o.waiting.keys()])];
}

export function lastActiveOf(o: OnDemandContext, r: DeploymentRecord): number {
  return Math.max(o.leases.lastActive(r.id) ?? 0, r.lastRequestAt ?? 0, r.readyAt ?? 0, r.startedAt ?? 0) || r.createdAt;
}
