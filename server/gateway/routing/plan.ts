/**
 * The order in which one request tries its targets. Pure: tiers in, an ordered list out.
 *
 *  - Tiers keep their order (failover: the first healthy tier wins).
 *  - Within a tier, available targets go by fewest outstanding requests (ties rotate, so equal
 *    backends share the load even when idle), and half-open ones (a trial request allowed) after
 *    the fully healthy ones.
 *  - Unavailable targets (health check failing, breaker open) are not dropped: they go last, in
 *    route order, as a last resort. A request that might succeed beats a certain 503.
 *  - Cold on-demand deployments (healthy, but a request must wait for their load) go after the
 *    warm targets of their tier: a route that lists one after a cloud target uses it only when the
 *    cloud fails.
 */
import type { Target, Tier } from "./route-table";

export type Availability = "up" | "trial" | "down";

export interface TargetState {
  availability(backend: string): Availability | null;
  outstanding(backend: string): number;
  /** An on-demand deployment that is not loaded. */
  cold?(backend: string): boolean;
}

export interface PlannedTarget extends Target {
  availability: Availability;
}

export function planAttempts(tiers: readonly Tier[], state: TargetState, rotation = 0): PlannedTarget[] {
  // The common case (one target, e.g. a deployment by name) on the hot path: nothing to sort.
  if (tiers.length === 1 && tiers[0]!.length === 1) {
    const t = tiers[0]![0]!;
    const availability = state.availability(t.backend);
    return availability === null ? [] : [{ backend: t.backend, model: t.model, id: t.id, availability }];
  }
  const first: PlannedTarget[] = [];
  const last: PlannedTarget[] = [];
  for (const tier of tiers) {
    const usable: Array<PlannedTarget & { load: number; order: number; cold: boolean }> = [];
    tier.forEach((t, i) => {
      const availability = state.availability(t.backend);
      if (availability === null) return; // unknown backend (a deployment that is gone, a typo)
      if (availability === "down") last.push({ ...t, availability });
      else {
        const order = (i - rotation % tier.length + tier.length) % tier.length;
        usable.push({ ...t, availability, load: state.outstanding(t.backend), order, cold: state.cold?.(t.backend) ?? false });
      }
    });
    usable.sort((a, b) => Number(a.cold) - Number(b.cold) || rank(a.availability) - rank(b.availability) || a.load - b.load || a.order - b.order);
    for (const { load: _load, order: _order, cold: _cold, ...t } of usable) first.push(t);
  }
  return [...first, ...last];
}

const rank = (a: Availability) => (a === "up" ? 0 : 1);
