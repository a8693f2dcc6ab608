/**
 * What a server needs to act as one of several on a PostgreSQL database, put together for the
 * composition root: the bus, presence, the relay, the leader and node locks, and the syncs of the
 * live fleet, deployments, the gateway's caches and sessions. On SQLite it is the single server:
 * always the leader, its own hub for the agents.
 */
import { randomBytes } from "node:crypto";
import { DEPLOY_ACTIONS, DEPLOY_EVENTS } from "../../protocol/deployments";
import { createLogger } from "../../lib/logger";
import { singleServerCluster, type Cluster } from "../core/cluster/cluster";
import type { Deployments } from "../core/deployments";
import type { Fleet } from "../core/fleet";
import type { History } from "../core/history";
import type { Sessions } from "../core/sessions";
import type { DbHandle } from "../db/client";
import { clusterRepo } from "../db/repos/cluster-repo";
import type { Gateway } from "../gateway/gateway";
import type { GatewaySource } from "../core/alerts/sources";
import type { AgentHub } from "../hub/agent-hub";
import type { BusStats } from "./bus";
import { clusterAgents, type ClusterAgents } from "./cluster-agents";
import { syncDeployments } from "./deployments-sync";
import { syncFleet } from "./fleet-sync";
import { syncGateway } from "./gateway-sync";
import { shareFailovers } from "./failover-feed";
import { syncSessions } from "./sessions-sync";
import { createPgBus } from "./pg-bus";
import { createPostgresCluster } from "./pg-cluster";
import { createPresence } from "./presence";
import { createRelay, type StreamRules } from "./relay";

/** Leader-only housekeeping of the cluster's own tables. */
const PRUNE_EVERY_MS = 60_000;

export interface ClusterStats {
  serverId: string;
  leader: boolean;
  bus: BusStats;
  relay: ReturnType<ReturnType<typeof createRelay>["stats"]>;
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
  stats(): ClusterStats | null;
  close(): Promise<void>;
}

/** Live log streams of deployments are what the relay carries besides answers. */
const LOG_STREAMS: StreamRules = {
  open: DEPLOY_ACTIONS.follow,
  close: DEPLOY_ACTIONS.unfollow,
  events: [DEPLOY_EVENTS.log, DEPLOY_EVENTS.logEnd],
  endEvent: DEPLOY_EVENTS.logEnd,
  idOf: (p) => {
    const id = (p as { streamId?: unknown } | null)?.streamId;
    return typeof id === "string" && id.length <= 64 ? id : null;
  },
  endPayload: (streamId, reason) => ({ streamId, reason }),
};

export function singleServer(hub: AgentHub): ControlPlane {
  return { cluster: singleServerCluster(), agents: hub, attach: () => {}, alertsGateway: (gateway) => gateway, stats: () => null, close: async () => {} };
}

export async function openControlPlane(opts: { databaseUrl: string; db: DbHandle; hub: AgentHub; fleet: Fleet; sessions: Sessions; label: string }): Promise<ControlPlane> {
  const log = createLogger("cluster");
  const { hub, fleet } = opts;
  const serverId = randomBytes(9).toString("base64url");
  const bus = createPgBus({ url: opts.databaseUrl, serverId, log });
  const presence = createPresence({ repo: clusterRepo(opts.db), bus, label: opts.label, log });
  const relay = createRelay({ bus, presence, local: hub, streams: LOG_STREAMS, nodeId: (name) => fleet.idOf(name), log });
  const cluster = createPostgresCluster({ url: opts.databaseUrl, serverId, log });
  const agents = clusterAgents({ hub, presence, relay, bus, fleet, log });
  let history: History | null = null;
  const fleetSync = syncFleet({
    bus, fleet, presence, log,
    holdsLocally: (name) => hub.isConnected(name),
    onForget: (_name, id) => {
      if (id) history?.forget(id);
    },
  });
  const offRemoved = fleet.onRemoved((name, origin) => {
    if (origin === "local") fleetSync.removed(name).catch((err: Error) => log.warn({ node: name, err: err.message }, "could not tell the other servers a node was removed"));
  });
  // The database answered a moment ago (migrations): the bus is up within milliseconds, and the
  // other servers hear this one join at once rather than at their next heartbeat.
  for (let i = 0; i < 50 && !bus.isUp(); i++) await new Promise((r) => setTimeout(r, 100));
  await presence.start();
  const pruner = setInterval(() => {
    if (cluster.isLeader()) void presence.prune().catch((err: Error) => log.warn({ err: err.message }, "pruning dead servers failed"));
  }, PRUNE_EVERY_MS);
  pruner.unref();
  const detach: Array<() => void> = [syncSessions({ bus, sessions: opts.sessions, log })];
  log.info({ server: serverId }, "several servers: this one joined the control plane");

  return {
    cluster,
    agents,
    attach(parts) {
      history = parts.history;
      detach.push(syncDeployments({ bus, replica: parts.deployments.replica, log }), syncGateway({ bus, gateway: parts.gateway, log }));
    },
    alertsGateway(gateway) {
      const feed = shareFailovers({ bus, gateway, log });
      detach.push(() => feed.close());
      return {
        healthViews: () => gateway.healthViews(),
        backends: () => gateway.backends(),
        resolve: (model) => gateway.resolve(model),
        onFinished: (listener) => feed.onFinished(listener),
      };
    },
    stats: () => ({ serverId, leader: cluster.isLeader(), bus: bus.stats(), relay: relay.stats() }),
    async close() {
      clearInterval(pruner);
      for (const d of detach) d();
      offRemoved();
      relay.close();
      agents.close();
      fleetSync.close();
      await presence.close();
      await cluster.close();
      await bus.close();
    },
  };
}
