/**
 * One load of an on-demand deployment, from standby to ready (run once per deployment at a time:
 * every request that arrives meanwhile joins it). In turn: an unload under way finishes; a start
 * already under way (after a server restart, or by another server) is waited for; a sleeping vLLM
 * is woken; otherwise it is placed — on its pinned node and GPUs, or where it fits with the least
 * eviction — and started there, each decision inside the node's lock: room is computed, idle
 * deployments are unloaded LRU first, and the start is recorded (reserving its memory) before the
 * lock is let go. A start that must wait for a request in flight elsewhere waits, within
 * --load-timeout. Any failure leaves the deployment standby, with the reason and the log lines.
 *
 * Several servers: a load is claimed first, under a lock of its own in the cluster, by recording it
 * pending (in the database, told to the others); a server that finds it claimed (read again from the
 * database inside that lock) waits for that load instead of starting a second one.
 */
import { formatModelRef } from "../../../protocol/model-ref";
import { ServiceError } from "../errors";
import { parseGpuChoice, placementCandidates, type Candidate } from "../deployments/placement";
import { COLD, type DeploymentRecord } from "../deployments/types";
import { AgentRefusal, logTail, startOn, stopOnAgent, wakeOnAgent } from "./agent-ops";
import { isOnDemand, isSleeping, isWarm, type OnDemandContext } from "./context";
import { LoadError } from "./errors";
import { CLAIMED, LOADING, needOf, type Ledger } from "./ledger";
import { describeShortfalls } from "./messages";
import { rankPlacements, type PlacementOption } from "./placement";
import { decideRoom, type Holder, type RoomDecision, type Shortfall } from "./room";
import { creditsNow, currentLedger } from "./snapshot";
import { BusyError, unloadLocked } from "./unload";

function recordOf(o: OnDemandContext, id: string, name: string): DeploymentRecord & { onDemand: NonNullable<DeploymentRecord["onDemand"]> } {
  const r = o.d.store.byId(id);
  if (!isOnDemand(r) || r.desired !== "running") throw new LoadError(name, "stopped", `${name} was stopped`);
  return r;
}

/** Where it may run: its pinned node and GPUs, or every candidate set of the online nodes. */
function candidatesFor(o: OnDemandContext, r: DeploymentRecord & { onDemand: NonNullable<DeploymentRecord["onDemand"]> }): Candidate[] {
  try {
    return placementCandidates(o.d.fleet.list(), {
      engine: r.spec.engine, node: r.onDemand.node ?? undefined, gpus: parseGpuChoice(r.onDemand.gpus ?? undefined), count: r.spec.options.tp,
    });
  } catch (err) {
    if (err instanceof ServiceError) throw new LoadError(r.name, "unavailable", `${r.name} cannot start: ${err.message}`);
    throw err;
  }
}

/** The model ran on `node` before (this deployment, or another of the same model): its files are there. */
function hasModel(o: OnDemandContext, r: DeploymentRecord, node: string): boolean {
  if (o.ranOn.get(r.id)?.has(node)) return true;
  const model = formatModelRef(r.spec.model);
  return o.d.store.onNode(node).some((x) => x.id !== r.id && x.containerId !== null && formatModelRef(x.spec.model) === model);
}

/** `ledgerOf` lets the ranking of many candidates share one ledger; inside a node's lock it is read afresh. */
async function decide(o: OnDemandContext, r: DeploymentRecord, node: string, gpus: number[], ledgerOf = () => currentLedger(o)): Promise<RoomDecision> {
  const estimate = await o.estimates.get(r.spec, o.d.fleet.get(node) ?? undefined, gpus);
  // Without an estimate nothing can be judged: the engine has the last word, as for any deploy.
  if (!estimate) return { kind: "fits" };
  const ledger = await ledgerOf();
  return decideRoom({ ...ledger, credits: creditsNow(o), need: needOf(node, gpus, estimate), self: r.id });
}

type Act = { kind: "started" } | { kind: "wait"; busy: Holder[] } | { kind: "no-room"; short: Shortfall[] } | { kind: "refused"; message: string };

/**
 * Inside a node's lock: makes the room `d` says (unloading its victims); null once there is room,
 * else what stands in the way (a victim that took a request meanwhile is waited for).
 */
async function makeRoom(o: OnDemandContext, d: RoomDecision, name: string): Promise<Act | null> {
  if (d.kind === "wait") return { kind: "wait", busy: d.busy };
  if (d.kind === "no-room") return { kind: "no-room", short: d.short };
  if (d.kind !== "evict") return null;
  for (const v of d.victims) {
    try {
      await unloadLocked(o, v.id, `to make room for ${name}`);
    } catch (err) {
      if (err instanceof BusyError) return { kind: "wait", busy: [v] };
      throw err;
    }
  }
  return null;
}

/** Inside `node`'s lock: decide again with what is true now, make room, start. */
async function decideAndStart(o: OnDemandContext, id: string, name: string, node: string, gpus: number[]): Promise<Act> {
  const r = recordOf(o, id, name);
  if (isWarm(o, r) || (r.containerId !== null && LOADING.has(r.state))) return { kind: "started" };
  const blocked = await makeRoom(o, await decide(o, r, node, gpus), name);
  if (blocked) return blocked;
  try {
    await startOn(o, recordOf(o, id, name), node, gpus);
    return { kind: "started" };
  } catch (err) {
    if (err instanceof AgentRefusal) return { kind: "refused", message: `${node}: ${err.message}` };
    throw err;
  }
}

/** Places and starts it; returns what to wait for when the room is held by requests in flight. */
async function placeAndStart(o: OnDemandContext, id: string, name: string): Promise<"started" | Holder[]> {
  const r = recordOf(o, id, name);
  // Only to rank them (each is decided again inside its node's lock): one ledger, not one per candidate.
  let ledger: Promise<Ledger> | undefined;
  const shared = () => (ledger ??= currentLedger(o));
  const options: PlacementOption[] = await Promise.all(candidatesFor(o, r).map(async (c) => ({
    node: c.node, gpus: c.gpus, decision: await decide(o, r, c.node, c.gpus, shared), hasModel: hasModel(o, r, c.node),
  })));
  const busy: Holder[] = [];
  let short: Shortfall[] | null = null;
  const refusals: string[] = [];
  for (const opt of rankPlacements(options)) {
    const act = await o.cluster.withNodeLock(opt.node, () => decideAndStart(o, id, name, opt.node, opt.gpus));
    if (act.kind === "started") return "started";
    if (act.kind === "wait") busy.push(...act.busy);
    else if (act.kind === "no-room") short ??= act.short;
    else refusals.push(act.message);
  }
  if (busy.length > 0) return busy;
  if (short) throw new LoadError(name, "no_room", `${name} cannot start now: it ${describeShortfalls(short)}`);
  throw new LoadError(name, "failed", `${name} could not start: ${refusals.join("; ")}`, recordOf(o, id, name).logs);
}

/** The cluster lock under which one server at a time claims a deployment's load (node names have no ':'). */
const loadLock = (id: string) => `ondemand:${id}`;

/** Claims the load for this server; false when another server's load (or a start under way) is to be waited for instead. */
async function claim(o: OnDemandContext, id: string, name: string): Promise<boolean> {
  return o.cluster.withNodeLock(loadLock(id), async () => {
    await o.d.store.refresh(id);
    const r = recordOf(o, id, name);
    if (isWarm(o, r) || LOADING.has(r.state)) return false;
    await o.d.store.update(id, { state: "pending", reason: null, progress: CLAIMED });
    return true;
  });
}

/** Resolves once it is ready; rejects when it fails, is stopped or unloaded meanwhile, or the deadline passes. */
function waitReady(o: OnDemandContext, id: string, name: string, deadline: number): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let done = false;
    const finish = (err?: Error) => {
      if (done) return;
      done = true;
      off();
      clearTimeout(timer);
      if (err) reject(err);
      else resolve();
    };
    const check = () => {
      const r = o.d.store.byId(id);
      if (!isOnDemand(r) || r.desired !== "running") return finish(new LoadError(name, "stopped", `${name} was stopped while it loaded`));
      if (isWarm(o, r)) return finish();
      if (r.state === "failed") return finish(new LoadError(name, "failed", `${name} failed to start on ${r.node}: ${r.reason ?? "no reason given"}`, r.logs));
      if (r.state === "standby" && !o.d.creating.has(id)) return finish(new LoadError(name, "stopped", `${name} was unloaded while it loaded${r.reason ? `: ${r.reason}` : ""}`, r.logs));
    };
    const off = o.d.store.onChange((changed) => changed === id && check());
    const timer = setTimeout(() => {
      const r = o.d.store.byId(id);
      const state = r ? r.state : "gone";
      void (r ? logTail(o, r) : Promise.resolve([])).then((logs) =>
        finish(new LoadError(name, "timeout", `${name} did not become ready within its load timeout (${r?.onDemand?.loadTimeoutS ?? "?"} s; still ${state})`, logs)));
    }, Math.max(0, deadline - o.d.now()));
    check();
  });
}

/** After a failure: nothing left running, standby, with why (a later request tries again). */
async function coolDown(o: OnDemandContext, id: string, err: Error): Promise<void> {
  const r = o.d.store.byId(id);
  if (!isOnDemand(r) || r.desired !== "running") return;
  if (r.containerId !== null || LOADING.has(r.state)) {
    await o.cluster.withNodeLock(r.node, () => stopOnAgent(o, r.node, id)).catch((e: Error) => o.d.log.warn({ deployment: r.name, err: e.message }, "could not stop a failed load"));
  }
  const logs = err instanceof LoadError && err.logs.length ? [...err.logs] : r.logs;
  await o.d.store.update(id, { ...COLD, reason: `the last load failed: ${err.message}`, logs });
}

async function wake(o: OnDemandContext, id: string, name: string): Promise<"woken" | Holder[]> {
  const r = recordOf(o, id, name);
  const act = await o.cluster.withNodeLock(r.node, async (): Promise<Act | "woken"> => {
    const now = recordOf(o, id, name);
    if (!isSleeping(now)) return { kind: "started" };
    const blocked = await makeRoom(o, await decide(o, now, now.node, now.spec.gpus), name);
    if (blocked) return blocked;
    await wakeOnAgent(o, now.node, id);
    return "woken";
  });
  if (act === "woken" || act.kind === "started") return "woken";
  if (act.kind === "wait") return act.busy;
  if (act.kind === "no-room") throw new LoadError(name, "no_room", `${name} cannot wake now: it ${describeShortfalls(act.short)}`);
  throw new LoadError(name, "failed", act.message);
}

/** Waits until one of `busy` has no request in flight, a deployment changes (a load ends), or the deadline. */
async function waitForRoom(o: OnDemandContext, busy: readonly Holder[], deadline: number): Promise<void> {
  const left = deadline - o.d.now();
  if (left <= 0) return;
  let off = () => {};
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    // Requests in flight end (drained); a load, or requests still waiting for one, end in a change of its record.
    ...busy.filter((h) => o.leases.count(h.id) > 0).map((h) => o.leases.drained(h.id)),
    new Promise<void>((resolve) => {
      off = o.d.store.onChange(() => resolve());
      timer = setTimeout(resolve, Math.min(left, 5000));
    }),
  ]);
  off();
  clearTimeout(timer);
}

/** The whole load; the flight (one per deployment) runs this. */
export async function bringUp(o: OnDemandContext, id: string, name: string): Promise<void> {
  const started = o.d.now();
  const policy = recordOf(o, id, name).onDemand;
  const deadline = started + policy.loadTimeoutS * 1000;
  o.loadingSince.set(id, started);
  o.changed();
  try {
    await o.unloading.get(id);
    let claimed = false;
    for (;;) {
      const r = recordOf(o, id, name);
      if (isWarm(o, r)) break;
      if (o.d.now() >= deadline) {
        throw new LoadError(name, "timeout", `${name} could not get room within its load timeout (${policy.loadTimeoutS} s): other deployments' loads and requests in flight still hold it`);
      }
      let busy: "started" | "woken" | Holder[];
      if (isSleeping(r)) busy = await wake(o, id, name);
      else if (r.containerId !== null && LOADING.has(r.state)) busy = "started";
      else if (r.containerId !== null) {
        // What is left of an earlier run (a crash it did not come back from) goes first.
        await o.cluster.withNodeLock(r.node, () => stopOnAgent(o, r.node, id));
        await o.d.store.update(id, COLD);
        continue;
      } else if (!claimed && !(claimed = await claim(o, id, name))) busy = "started";
      else busy = await placeAndStart(o, id, name);
      if (Array.isArray(busy)) {
        o.d.log.info({ deployment: name, waitingFor: busy.map((h) => h.name) }, "a load waits for requests in flight to free memory");
        await waitForRoom(o, busy, deadline);
        continue;
      }
      await waitReady(o, id, name, deadline);
      break;
    }
    o.outcomes.set(id, { at: o.d.now(), ok: true, ms: o.d.now() - started, error: null, logs: [] });
    o.d.log.info({ deployment: name, node: o.d.store.byId(id)?.node, ms: o.d.now() - started }, "on-demand deployment loaded");
  } catch (err) {
    const e = err instanceof LoadError ? err : new LoadError(name, "failed", `${name} could not start: ${(err as Error).message}`);
    o.outcomes.set(id, { at: o.d.now(), ok: false, ms: o.d.now() - started, error: e.message, logs: [...e.logs] });
    o.d.log.warn({ deployment: name, cause: e.why, err: e.message }, "on-demand load failed");
    await coolDown(o, id, e).catch((x: Error) => o.d.log.warn({ deployment: name, err: x.message }, "could not record a failed load"));
    throw e;
  } finally {
    o.loadingSince.delete(id);
    o.changed();
  }
}
