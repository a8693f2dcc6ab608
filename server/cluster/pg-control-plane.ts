/**
 * The control plane of several servers on PostgreSQL (control-plane.ts loads it only when
 * SWITCHYARD_DATABASE_URL is set: a server on SQLite does not load the PostgreSQL driver).
 */
import { randomBytes } from "node:crypto";
import { DEPLOY_ACTIONS, DEPLOY_EVENTS } from "../../protocol/deployments";
import { createLogger } from "../../lib/logger";
import type { History } from "../core/history";
import { clusterRepo } from "../db/repos/cluster-repo";
import { benchmarkPeers } from "./benchmark-peers";
import { clusterAgents } from "./cluster-agents";
import type { ControlPlane, ControlPlaneOptions } from "./control-plane";
import { syncDeployments } from "./deployments-sync";
import { shareFailovers } from "./failover-feed";
import { syncFleet } from "./fleet-sync";
import { syncOnDemand } from "./ondemand-sync";
import { syncGateway } from "./gateway-sync";
import { createPgBus } from "./pg-bus";
import { createPostgresCluster } from "./pg-cluster";
import { createPresence } from "./presence";
import { createRelay, type StreamRules } from "./relay";
import { syncSessions } from "./sessions-sync";

/** Leader-only housekeeping of the cluster's own tables. */
const PRUNE_EVERY_MS = 60_000;

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

export async function openPgControlPlane(opts: ControlPlaneOptions): Promise<ControlPlane> {
  const log = createLogger("cluster");
  const { hub, fleet } = opts;
  const serverId = randomBytes(9).toString("base64url");
  const bus = createPgBus({ url: opts.databaseUrl, serverId, log });
  const repo = clusterRepo(opts.db);
  const presence = createPresence({ repo, bus, label: opts.label, log });
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
      detach.push(
        syncDeployments({ bus, replica: parts.deployments.replica, log }),
        syncOnDemand({ bus, activity: parts.deployments.ondemandActivity, log }),
        syncGateway({ bus, gateway: parts.gateway, log }),
      );
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
    benchmarkPeers: benchmarkPeers({ bus, cluster, repo }),
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
