/**
 * Unloading: the container is removed (or its vLLM engine put to sleep) and the deployment is
 * standby again. Never while a request is in flight or waiting for it: `unloadLocked` refuses a
 * busy one (the caller waits or looks elsewhere), and the moment it begins the deployment is cold,
 * so a request arriving meanwhile waits for the unload and then loads it again. By hand
 * (`switchyard unload`), it waits for requests in flight to finish first.
 */
import { ServiceError } from "../errors";
import { recordOr404 } from "../deployments/lookup";
import { COLD } from "../deployments/types";
import { sleepOnAgent, stopOnAgent } from "./agent-ops";
import { busyCount, isOnDemand, isSleeping, type OnDemandContext } from "./context";
import { currentLedger } from "./snapshot";

export class BusyError extends Error {}

/** How long `switchyard unload` waits for requests in flight. */
const BY_HAND_DRAIN_MS = 60_000;

/** Unloads `id` now. The caller holds its node's decision lock. Throws BusyError when a request holds it. */
export async function unloadLocked(o: OnDemandContext, id: string, why: string): Promise<void> {
  const r = o.d.store.byId(id);
  if (!isOnDemand(r) || r.desired !== "running") return;
  if (busyCount(o, id) > 0) throw new BusyError(`${r.name} has ${busyCount(o, id)} request(s) in flight`);
  const running = o.unloading.get(id);
  if (running) return running;
  if (r.containerId === null) {
    if (r.state !== "standby") await o.d.store.update(id, COLD);
    return;
  }
  // Cold from here on (synchronously, before any await): no new lease can be taken.
  let done!: () => void;
  o.unloading.set(id, new Promise<void>((resolve) => (done = resolve)));
  o.changed();
  try {
    const held = (await currentLedger(o)).holders.find((h) => h.id === id);
    const sleep = r.onDemand.unload === "sleep" && r.spec.sleepMode === true && !isSleeping(r);
    o.d.log.info({ deployment: r.name, node: r.node, how: sleep ? "sleep" : "remove", why }, "unloading an on-demand deployment");
    if (sleep) {
      await sleepOnAgent(o, r.node, id);
      await o.d.store.update(id, { state: "standby", readyAt: null });
    } else {
      // Other servers route to it until they hear it is going (this server stopped at once, above).
      await o.d.store.update(id, { state: "stopping" });
      try {
        await stopOnAgent(o, r.node, id);
      } catch (err) {
        await o.d.store.update(id, { state: r.state });
        throw err;
      }
      await o.d.store.update(id, { ...COLD, reason: null, logs: [] });
    }
    const at = o.d.now();
    for (const [pool, bytes] of held?.holds ?? []) if (bytes > 0) o.credits.push({ node: r.node, pool, bytes, at });
  } finally {
    o.unloading.delete(id);
    done();
    o.changed();
  }
}

/** `switchyard unload NAME`: waits for a load under way and for requests in flight, then unloads. */
export async function unloadByHand(o: OnDemandContext, name: string): Promise<void> {
  const r = recordOr404(o.d, name);
  if (!isOnDemand(r)) throw new ServiceError("conflict", `${name} always runs (deployed without --on-demand): 'switchyard stop ${name}' stops it`);
  await o.flights.get(r.id)?.catch(() => {});
  const deadline = o.d.now() + BY_HAND_DRAIN_MS;
  for (;;) {
    const current = o.d.store.byId(r.id);
    if (!current) return;
    if (busyCount(o, r.id) > 0) {
      const left = deadline - o.d.now();
      if (left <= 0) throw new ServiceError("conflict", `${name} still has ${busyCount(o, r.id)} request(s) in flight after ${BY_HAND_DRAIN_MS / 1000} s: try again when they finish`);
      // Requests on other servers end with their next word (activity.ts): those are polled, not awaited.
      const here = o.leases.count(r.id) > 0 ? [o.leases.drained(r.id)] : [];
      await Promise.race([...here, new Promise((resolve) => setTimeout(resolve, Math.min(left, 1000)))]);
      continue;
    }
    try {
      await o.cluster.withNodeLock(current.node, () => unloadLocked(o, r.id, "asked by hand"));
      return;
    } catch (err) {
      if (!(err instanceof BusyError)) throw err;
    }
  }
}
