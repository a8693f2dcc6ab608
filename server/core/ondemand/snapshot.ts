/** The fleet's memory now, as the load manager decides with it: the ledger plus the unload credits still due. */
import type { DeploymentRecord } from "../deployments/types";
import { busyCount, isSleeping, lastActiveOf, type OnDemandContext } from "./context";
import { buildLedger, phaseOf, type Ledger, type LedgerDeployment } from "./ledger";
import type { PoolKey } from "./room";

/** A credit lasts until the node has sent samples taken this long after the unload. */
const CREDIT_SAMPLES_MS = 2000;
/** …and no longer than this, whatever the node sends. */
const CREDIT_MAX_MS = 30_000;

export async function currentLedger(o: OnDemandContext): Promise<Ledger> {
  const nodes = o.d.fleet.list();
  const byName = new Map(nodes.map((n) => [n.name, n]));
  const resident = o.d.store.all().filter((r) => phaseOf(r, isSleeping(r)) !== null);
  const deployments: LedgerDeployment[] = await Promise.all(resident.map(async (r: DeploymentRecord) => ({
    record: r,
    estimate: await o.estimates.get(r.spec, byName.get(r.node), r.spec.gpus).catch(() => null),
    inFlight: busyCount(o, r.id),
    lastActiveAt: lastActiveOf(o, r),
    sleeping: isSleeping(r),
  })));
  return buildLedger(nodes, deployments);
}

/** Memory unloads released that the nodes' telemetry may not show yet; expired credits are dropped. */
export function creditsNow(o: OnDemandContext): Map<PoolKey, number> {
  const now = o.d.now();
  o.credits = o.credits.filter((c) => {
    const seen = o.d.fleet.get(c.node)?.lastSeen ?? 0;
    return seen < c.at + CREDIT_SAMPLES_MS && now - c.at < CREDIT_MAX_MS;
  });
  const out = new Map<PoolKey, number>();
  for (const c of o.credits) out.set(c.pool, (out.get(c.pool) ?? 0) + c.bytes);
  return out;
}
