/**
 * The load manager's clockwork: idle unloads (on the leader only: one server of a control plane
 * runs them) and the periodic write of last-request times, which lets a restarted server (or the
 * next leader) resume every idle timer where it was. A deployment with requests in flight is
 * stamped at each write too, so that the database shows it busy while a long stream lasts.
 */
import { busyCount, isOnDemand, isSleeping, isWarm, lastActiveOf, type OnDemandContext } from "./context";
import { idleDue, type IdleCandidate } from "./idle";
import { BusyError, unloadLocked } from "./unload";
import type { DeploymentRecord } from "../deployments/types";

export function idleCandidate(o: OnDemandContext, r: DeploymentRecord & { onDemand: NonNullable<DeploymentRecord["onDemand"]> }): IdleCandidate {
  return {
    id: r.id, loaded: isWarm(o, r) || isSleeping(r), sleeping: isSleeping(r), inFlight: busyCount(o, r.id) + (o.flights.has(r.id) ? 1 : 0),
    idleTimeoutMs: r.onDemand.idleTimeoutS * 1000, lastActiveAt: lastActiveOf(o, r),
  };
}

export async function unloadIdle(o: OnDemandContext): Promise<void> {
  if (!o.cluster.isLeader()) return;
  // A node that is away cannot unload anything now; its timers run on when it is back.
  const candidates = o.d.store.all().filter(isOnDemand).filter((r) => o.d.hub.isConnected(r.node)).map((r) => idleCandidate(o, r));
  for (const id of idleDue(candidates, o.d.now())) {
    const r = o.d.store.byId(id);
    if (!r) continue;
    await o.cluster.withNodeLock(r.node, async () => {
      const now = o.d.store.byId(id);
      // Decided again inside the lock: a request may have come in meanwhile.
      if (!isOnDemand(now) || !idleDue([idleCandidate(o, now)], o.d.now()).length) return;
      await unloadLocked(o, id, `idle for ${now.onDemand.idleTimeoutS} s`);
    }).catch((err: Error) => {
      if (!(err instanceof BusyError)) o.d.log.warn({ deployment: r.name, err: err.message }, "idle unload failed");
    });
  }
}

/** Writes the last-request times that changed, and stamps deployments busy now. */
export async function flushActivity(o: OnDemandContext, repo: { touch(times: ReadonlyMap<string, number>): Promise<void> }): Promise<void> {
  for (const id of o.leases.busy()) o.leases.stamp(id);
  const times = new Map<string, number>();
  for (const id of o.leases.dirty) {
    const at = o.leases.lastActive(id);
    const r = o.d.store.byId(id);
    if (at !== undefined && r) times.set(id, at);
  }
  o.leases.dirty.clear();
  o.local.flush([...times]);
  if (times.size === 0) return;
  for (const [id, at] of times) await o.d.store.update(id, { lastRequestAt: at });
  await repo.touch(times);
}
