/**
 * The load manager: models on demand across the fleet. The gateway leases a deployment for every
 * request (synchronously when it is warm, after its load when it is cold); REST loads and unloads
 * by hand; a timer unloads idle ones (on the leader) and writes last-request times. All decisions
 * about one node's memory are made inside that node's lock (server/core/cluster).
 */
import type { DeploymentView } from "../../../protocol/deployments";
import type { Cluster } from "../cluster/cluster";
import type { DeploymentsContext } from "../deployments/context";
import { recordOr404 } from "../deployments/lookup";
import type { DeploymentRecord } from "../deployments/types";
import { ServiceError } from "../errors";
import { LocalActivity, RemoteActivity, type ActivityReport } from "./activity";
import { bringUp } from "./bring-up";
import { busyHere, isOnDemand, isWarm, type OnDemandContext } from "./context";
import { LoadError } from "./errors";
import { createEstimateCache } from "./estimates";
import { flushActivity, unloadIdle } from "./idle-timer";
import { Leases, type Release } from "./leases";
import { registerOnDemand } from "./register";
import { SingleFlight } from "./single-flight";
import { unloadByHand } from "./unload";
import { onDemandView } from "./view";

export { LoadError } from "./errors";
export type { Release } from "./leases";
export type { ActivityReport } from "./activity";

/** Several servers: what each tells the others of its requests (server/cluster/ondemand-sync.ts carries it). */
export interface OnDemandActivity {
  /** Hears this server's reports, to send them on. */
  listen(listener: (report: ActivityReport) => void): () => void;
  /** Another server's report. */
  hear(server: string, report: ActivityReport): void;
}

/** What the gateway needs: leases on on-demand deployments, by id. */
export interface OnDemandGate {
  /** A lease on a warm deployment, at once; null when it is cold (loading, unloading, standby, asleep). */
  tryLease(id: string): Release | null;
  /** Loads it (or joins the load under way) and leases it once ready; rejects with a LoadError. */
  leaseWhenReady(id: string): Promise<Release>;
  /** Hears when deployments turn warm or cold (the gateway re-reads its backends). */
  onChange(listener: () => void): () => void;
  /** One round of the timers' work now: idle unloads, then last-request writes (tests; shutdown). */
  housekeep(): Promise<void>;
}

export interface LoadManager extends OnDemandGate {
  register(body: unknown): Promise<DeploymentRecord>;
  /** `POST …/load`: resolves once ready (rejects with a LoadError); `waitMs` 0 answers at once. */
  load(name: string): Promise<void>;
  unload(name: string): Promise<void>;
  view(r: DeploymentRecord): DeploymentView["onDemand"];
  /** Whether the gateway may route to it now (on-demand ones: only warm). */
  isWarm(r: DeploymentRecord): boolean;
  /** A report about it should not change its state (it is being unloaded, or standby on purpose). */
  ignoresReport(r: DeploymentRecord, state: string): boolean;
  activity: OnDemandActivity;
  start(): void;
  close(): Promise<void>;
}

export interface LoadManagerDeps {
  ctx: DeploymentsContext;
  cluster: Cluster;
  repo: { touch(times: ReadonlyMap<string, number>): Promise<void> };
  tickMs?: number;
  flushMs?: number;
}

export function createLoadManager(deps: LoadManagerDeps): LoadManager {
  const listeners = new Set<() => void>();
  const local = new LocalActivity(() => busyHere(o));
  const o: OnDemandContext = {
    d: deps.ctx, cluster: deps.cluster, leases: new Leases(deps.ctx.now, (id) => local.turnedBusy(id)),
    remote: new RemoteActivity(), local, estimates: createEstimateCache(deps.ctx.fit, deps.ctx.now),
    flights: new SingleFlight(), waiting: new Map(), unloading: new Map(), loadingSince: new Map(), outcomes: new Map(),
    ranOn: new Map(), credits: [],
    changed: () => {
      for (const l of listeners) l();
    },
  };
  for (const r of deps.ctx.store.all()) {
    if (r.lastRequestAt !== null) o.leases.seed(r.id, r.lastRequestAt);
    if (r.onDemand && r.containerId !== null) o.ranOn.set(r.id, new Set([r.node]));
  }
  // A deployment turns warm or cold through its node's reports too (a start another server began,
  // a crash), one registered or removed on another server comes or goes, and a pinned one turns
  // ready or moves: the gateway hears of it at once, not when its cached view expires (a request
  // right after `deploy` returned was a 404 for up to half a second).
  const warmNow = new Map<string, boolean>();
  const routable = (r: { state: string; node: string; port: number | null }) => `${r.state}|${r.node}|${r.port}`;
  const seen = new Map(deps.ctx.store.all().map((r) => [r.id, routable(r)]));
  const offChanges = deps.ctx.store.onChange((id) => {
    const r = deps.ctx.store.byId(id);
    const before = seen.get(id);
    const now = r ? routable(r) : undefined;
    if (now === undefined) seen.delete(id);
    else seen.set(id, now);
    const warm = r !== null && isOnDemand(r) && isWarm(o, r);
    if (before === now && (warmNow.get(id) ?? false) === warm) return;
    if (warm) warmNow.set(id, true);
    else warmNow.delete(id);
    o.changed();
  });

  const flight = (id: string, name: string): Promise<void> => {
    const r = o.d.store.byId(id);
    // Already serving: nothing to load (and nothing to record as a load).
    if (r && !o.flights.has(id) && isWarm(o, r)) return Promise.resolve();
    return o.flights.run(id, () => bringUp(o, id, name));
  };

  function tryLease(id: string): Release | null {
    const r = o.d.store.byId(id);
    if (!r || !isOnDemand(r) || !isWarm(o, r)) return null;
    return o.leases.acquire(id);
  }

  async function leaseWhenReady(id: string): Promise<Release> {
    const r = o.d.store.byId(id);
    if (!isOnDemand(r)) throw new LoadError(id, "stopped", "the deployment is gone");
    const waiters = o.waiting.get(id) ?? 0;
    o.waiting.set(id, waiters + 1);
    if (waiters === 0 && o.leases.count(id) === 0) o.local.turnedBusy(id);
    try {
      // A deployment unloaded again between its load and this waiter's turn loads again (bounded by its timeout).
      for (let tries = 0; tries < 3; tries++) {
        await flight(id, r.name);
        const lease = tryLease(id);
        if (lease) return lease;
      }
      throw new LoadError(r.name, "failed", `${r.name} was unloaded again each time it loaded`);
    } finally {
      const n = (o.waiting.get(id) ?? 1) - 1;
      if (n > 0) o.waiting.set(id, n);
      else o.waiting.delete(id);
    }
  }

  let timers: NodeJS.Timeout[] = [];
  let flushing: Promise<void> = Promise.resolve();
  const flush = () => (flushing = flushing.then(() => flushActivity(o, deps.repo)).catch((err: Error) => o.d.log.warn({ err: err.message }, "writing last-request times failed")));

  return {
    tryLease, leaseWhenReady,
    async housekeep() {
      await unloadIdle(o);
      await flush();
    },
    onChange(listener) {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
    register: (body) => registerOnDemand(o, body, (id) => {
      const r = o.d.store.byId(id);
      if (r) void flight(id, r.name).catch(() => {}); // the outcome is kept for the view and the log
    }),
    async load(name) {
      const r = recordOr404(o.d, name);
      if (!isOnDemand(r)) throw new ServiceError("conflict", `${name} always runs (deployed without --on-demand): nothing to load`);
      await flight(r.id, name);
    },
    unload: (name) => unloadByHand(o, name),
    activity: {
      listen: (listener) => o.local.listen(listener),
      hear(server, report) {
        for (const [id, at] of o.remote.hear(server, report, o.d.now())) if (o.d.store.byId(id)) o.leases.seed(id, at);
      },
    },
    view: (r) => (isOnDemand(r) ? onDemandView(o, r) : undefined),
    isWarm: (r) => isWarm(o, r),
    ignoresReport(r, state) {
      if (!isOnDemand(r)) return false;
      // Its stop is an unload (the load manager records standby itself); a late report from a removed container changes nothing.
      return state === "stopping" || state === "stopped" || (r.state === "standby" && r.containerId === null && !o.d.creating.has(r.id));
    },
    start() {
      const every = (ms: number, fn: () => Promise<void>) => {
        const t = setInterval(() => void fn().catch((err: Error) => o.d.log.error({ err }, "on-demand housekeeping failed")), ms);
        t.unref();
        timers.push(t);
      };
      every(deps.tickMs ?? 1000, () => unloadIdle(o));
      every(deps.flushMs ?? 5000, () => flush());
    },
    async close() {
      offChanges();
      for (const t of timers) clearInterval(t);
      timers = [];
      await flush();
    },
  };
}
