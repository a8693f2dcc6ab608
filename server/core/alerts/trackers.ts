/**
 * Small memories the conditions need that the sources do not keep: when each deployment restarted
 * (a restart loop is a count over a window), and who last answered each route (failover and back).
 * Pure given their inputs; fed by the sources.
 */

const MAX_RESTART_TIMES = 50;
const MAX_ROUTES = 1000;

export class RestartTracker {
  private readonly seen = new Map<string, { restarts: number; times: number[] }>();

  /** Feeds the current restart counts; returns each deployment's restart times. */
  update(deployments: ReadonlyArray<{ name: string; restarts: number; createdAt?: number }>, now: number, keepMs: number): Map<string, number[]> {
    const out = new Map<string, number[]>();
    const present = new Set<string>();
    for (const d of deployments) {
      present.add(d.name);
      let s = this.seen.get(d.name);
      if (!s) this.seen.set(d.name, (s = { restarts: d.restarts, times: [] }));
      if (d.restarts > s.restarts) for (let i = 0; i < Math.min(d.restarts - s.restarts, MAX_RESTART_TIMES); i++) s.times.push(now);
      s.restarts = d.restarts;
      s.times = s.times.filter((t) => now - t <= keepMs).slice(-MAX_RESTART_TIMES);
      out.set(d.name, s.times);
    }
    for (const name of this.seen.keys()) if (!present.has(name)) this.seen.delete(name);
    return out;
  }
}

export interface FinishedRequest {
  modelAsked: string | null;
  target: string | null;
  status: number;
  ts: number;
  hops: ReadonlyArray<{ from: string; to: string | null; why: string }>;
}

interface Served {
  target: string;
  why: string | null;
  since: number;
}

export class FailoverTracker {
  private readonly latest = new Map<string, Served>();

  /** Called for every finished gateway request: O(1), no allocation unless the serving target changed. */
  record(r: FinishedRequest): void {
    if (r.status >= 400 || !r.target || !r.modelAsked) return;
    const prev = this.latest.get(r.modelAsked);
    if (prev && prev.target === r.target) return;
    if (!prev && this.latest.size >= MAX_ROUTES) return;
    const hop = r.hops.find((h) => h.to === r.target) ?? r.hops[0];
    this.latest.set(r.modelAsked, { target: r.target, why: hop ? hop.why.slice(0, 500) : null, since: r.ts });
  }

  served(model: string): Served | null {
    return this.latest.get(model) ?? null;
  }

  models(): string[] {
    return [...this.latest.keys()];
  }

  forget(model: string): void {
    this.latest.delete(model);
  }
}

