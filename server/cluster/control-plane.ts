/**
 * What a server needs to act as one of several on a PostgreSQL database, put together for the
 * composition root: the bus, presence, the relay, the leader and node locks, and the syncs of the
 * live fleet, deployments, the gateway's caches and sessions. On SQLite it is the single server:
 * always the leader, its own hub for the agents.
 */
import { singleServerCluster, type Cluster } from "../core/cluster/cluster";
import type { BenchmarkPeers } from "../core/benchmarks/elsewhere";
import type { Deployments } from "../core/deployments";
import type { Fleet } from "../core/fleet";
import type { History } from "../core/history";
import type { Sessions } from "../core/sessions";
import type { DbHandle } from "../db/client";
import type { Gateway } from "../gateway/gateway";
import type { GatewaySource } from "../core/alerts/sources";
import type { AgentHub } from "../hub/agent-hub";
import type { BusStats } from "./bus";
import type { ClusterAgents } from "./cluster-agents";

export interface ClusterStats {
  serverId: string;
  leader: boolean;
  bus: BusStats;
  relay: { pending: number; streamsIn: number; streamsOut: number; dropped: number };
}

/** The agents as the core uses them: this server's hub alone, or the whole control plane's. */
export type ControlPlaneAgents = Pick<ClusterAgents, "request" | "isConnected" | "remoteAddress" | "onEvent" | "cutOff">;

export interface ControlPlane {
  cluster: Cluster;
  agents: ControlPlaneAgents;
  /** Wires what is built after the agents (deployments, the gateway, history). */
  attach(parts: { deployments: Deployments; gateway: Gateway; history: History }): void;
  /** The gateway as the alerts read it: with several servers, failovers seen on any of them. */
  alertsGateway(gateway: Gateway): GatewaySource;
  /** The other servers as the benchmarks see them; undefined for a server alone. */
  benchmarkPeers?: BenchmarkPeers;
  stats(): ClusterStats | null;
  close(): Promise<void>;
}

export function singleServer(hub: AgentHub): ControlPlane {
  return { cluster: singleServerCluster(), agents: hub, attach: () => {}, alertsGateway: (gateway) => gateway, stats: () => null, close: async () => {} };
}

export interface ControlPlaneOptions {
  databaseUrl: string;
  db: DbHandle;
  hub: AgentHub;
  fleet: Fleet;
  sessions: Sessions;
  /** host:port, for operators reading cluster_servers. */
  label: string;
}

/** Several servers on PostgreSQL (SWITCHYARD_DATABASE_URL): loaded only then, with the PostgreSQL driver. */
export async function openControlPlane(opts: ControlPlaneOptions): Promise<ControlPlane> {
  const { openPgControlPlane } = await import("./pg-control-plane");
  return openPgControlPlane(opts);
}
