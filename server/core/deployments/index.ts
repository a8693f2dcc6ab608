/**
 * The deployments core: one verb per file (create, stop, restart, logs, list), a store, placement,
 * and reconciliation with what agents report. Transports (REST, the CLI through REST, the
 * dashboard) call these; nothing here knows about HTTP.
 */
import { randomUUID } from "node:crypto";
import type { DeploymentView, RoutableBackend } from "../../../protocol/deployments";
import { createLogger } from "../../../lib/logger";
import type { DeploymentsRepo } from "../../db/repos/deployments-repo";
import { singleServerCluster, type Cluster } from "../cluster/cluster";
import { createLoadManager, type OnDemandActivity, type OnDemandGate } from "../ondemand";
import type { Fleet } from "../fleet";
import type { Secrets } from "../secrets";
import type { AgentLink, DeploymentsContext } from "./context";
import { createDeployment } from "./create";
import type { FitEstimator } from "./fit-hook";
import { forgetNode } from "./forget-node";
import { createLogStreams, type LogSink } from "./log-streams";
import { followLogs, tailLogs } from "./logs";
import { recordOr404 } from "./lookup";
import { createReplica, type DeploymentReplica } from "./replica";
import { handleAgentEvent } from "./reconcile";
import { restartDeployment } from "./restart";
import { stopDeployment, type StopResult } from "./stop";
import { createDeploymentStore } from "./store";
import { routableBackends, toView } from "./views";

export interface Deployments {
  /** Deploys (or, with `onDemand`, registers it standby). */
  create(body: unknown): Promise<DeploymentView>;
  /** Loads an on-demand deployment; resolves once it is ready (a LoadError otherwise). */
  load(name: string): Promise<DeploymentView>;
  /** Unloads an on-demand deployment (waits for requests in flight); resolves once it is standby. */
  unload(name: string): Promise<DeploymentView>;
  /** Leases on on-demand deployments, for the gateway. */
  readonly ondemand: OnDemandGate;
  list(): DeploymentView[];
  get(name: string): DeploymentView;
  stop(name: string): Promise<StopResult>;
  restart(name: string): Promise<DeploymentView>;
  logs(name: string, tail: number): Promise<string[]>;
  follow(name: string, tail: number, sink: LogSink): Promise<() => void>;
  /** Every deployment as a gateway backend, routable by its name (with its engine's API key: server-internal). */
  listRoutableBackends(): RoutableBackend[];
  /** Drops the records of a removed node's deployments; returns their names. */
  forgetNode(node: string): Promise<string[]>;
  /** The deployment a process on a node belongs to (host PID, from per-process GPU telemetry), or null. */
  deploymentOfPid(node: string, pid: number): string | null;
  /** Several servers on one database: changes made here, and those made elsewhere (server/cluster). */
  replica: DeploymentReplica;
  /** Several servers: requests in flight for on-demand deployments, told to and heard from the others. */
  ondemandActivity: OnDemandActivity;
  /** Starts the on-demand timers (idle unloads on the leader, last-request writes). */
  start(): void;
  /** Stops timers and writes what is pending. */
  close(): Promise<void>;
}

export interface DeploymentsDeps {
  repo: DeploymentsRepo;
  fleet: Fleet;
  /** The listener's promise settles once the event is applied (the hub may ignore it; tests wait on it). */
  hub: AgentLink & { onEvent(listener: (node: { id: string; name: string }, event: string, payload: unknown) => void | Promise<void>): () => void };
  secrets: Pick<Secrets, "hfToken" | "deploymentApiKey" | "setDeploymentApiKey">;
  fit?: FitEstimator | null;
  /** The servers of this control plane (idle unloads run on the leader; loads lock their node). Default: this one alone. */
  cluster?: Cluster;
  now?: () => number;
}

export async function createDeployments(deps: DeploymentsDeps): Promise<Deployments> {
  const log = createLogger("deployments");
  const apiKeys = new Map<string, string>();
  let replica: ReturnType<typeof createReplica> | null = null;
  // A deployment's API key lives as long as its record: stopped and removed, the key goes too.
  const store = await createDeploymentStore(deps.repo, deps.now, {
    async onRemove(r) {
      if (!apiKeys.delete(r.id) && !r.spec.options.apiKey) return;
      await deps.secrets.setDeploymentApiKey(r.id, null).catch((err: Error) => log.warn({ deployment: r.name, err: err.message }, "could not forget a deployment's API key"));
    },
    onChange: (change) => replica?.changed(change),
  });
  for (const r of store.all()) {
    if (!r.spec.options.apiKey) continue;
    const key = await deps.secrets.deploymentApiKey(r.id);
    if (key) apiKeys.set(r.id, key);
  }
  // Events of one node are applied in order (an announcement must not overtake a state change).
  const queues = new Map<string, Promise<void>>();
  const ctx: DeploymentsContext = {
    store, fleet: deps.fleet, hub: deps.hub, secrets: deps.secrets, fit: deps.fit ?? null, apiKeys, creating: new Map(),
    streams: createLogStreams(), seqs: new Map(), log, ondemand: null,
    newId: () => randomUUID(), now: deps.now ?? Date.now,
    settle: async (node) => {
      // Events queued while waiting are waited for too.
      for (let tail = queues.get(node); tail; ) {
        await tail;
        const next = queues.get(node);
        tail = next === tail ? undefined : next;
      }
    },
  };
  replica = createReplica(ctx);

  const offEvent = deps.hub.onEvent((node, event, payload) => {
    if (!event.startsWith("deployment.")) return;
    const next = (queues.get(node.name) ?? Promise.resolve())
      .then(() => handleAgentEvent(ctx, node.name, event, payload))
      .catch((err) => log.error({ err, node: node.name, event }, "applying an agent event failed"));
    queues.set(node.name, next);
    return next;
  });
  const offFleet = deps.fleet.subscribe((node) => {
    if (!node.online) ctx.streams.endNode(node.name, `node ${node.name} disconnected`);
  });
  const manager = createLoadManager({ ctx, cluster: deps.cluster ?? singleServerCluster(), repo: deps.repo });
  ctx.ondemand = manager;
  const viewOf = (name: string) => toView(ctx, recordOr404(ctx, name));

  return {
    async create(body) {
      const onDemand = typeof body === "object" && body !== null && "onDemand" in body && (body as { onDemand?: unknown }).onDemand !== undefined;
      return onDemand ? toView(ctx, await manager.register(body)) : createDeployment(ctx, body);
    },
    async load(name) {
      await manager.load(name);
      return viewOf(name);
    },
    async unload(name) {
      await manager.unload(name);
      return viewOf(name);
    },
    ondemand: manager,
    list: () => ctx.store.all().map((r) => toView(ctx, r)),
    get: (name) => toView(ctx, recordOr404(ctx, name)),
    stop: (name) => stopDeployment(ctx, name),
    restart: (name) => restartDeployment(ctx, name),
    logs: (name, tail) => tailLogs(ctx, name, tail),
    follow: (name, tail, sink) => followLogs(ctx, name, tail, sink),
    listRoutableBackends: () => routableBackends(ctx),
    forgetNode: (node) => forgetNode(ctx, node),
    deploymentOfPid: (node, pid) => ctx.store.onNode(node).find((r) => r.pids.includes(pid))?.name ?? null,
    replica,
    ondemandActivity: manager.activity,
    start: () => manager.start(),
    async close() {
      offEvent();
      offFleet();
      await manager.close();
    },
  };
}
