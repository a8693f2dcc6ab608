/**
 * In-flight accounting: every gateway request to an on-demand deployment holds a lease on it from
 * before it is sent until its response ends (streams included). A deployment with a lease is never
 * unloaded; a start that needs its memory waits until `drained`. Leases also stamp the deployment's
 * last activity, which the idle timer and the LRU order read. Synchronous on purpose: taking a
 * lease and deciding an eviction never interleave.
 */
export type Release = () => void;

export class Leases {
  private readonly inFlight = new Map<string, number>();
  private readonly active = new Map<string, number>();
  private readonly drainWaiters = new Map<string, Set<() => void>>();
  /** Stamps not yet written to the database (the load manager flushes them). */
  readonly dirty = new Set<string>();

  /** `onBusy` hears a deployment turn busy here (its first request in flight): the other servers are told. */
  constructor(private readonly now: () => number = Date.now, private readonly onBusy: (id: string) => void = () => {}) {}

  acquire(id: string): Release {
    const before = this.inFlight.get(id) ?? 0;
    this.inFlight.set(id, before + 1);
    if (before === 0) this.onBusy(id);
    this.stamp(id);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const n = (this.inFlight.get(id) ?? 1) - 1;
      this.stamp(id);
      if (n > 0) return void this.inFlight.set(id, n);
      this.inFlight.delete(id);
      const waiters = this.drainWaiters.get(id);
      this.drainWaiters.delete(id);
      for (const w of waiters ?? []) w();
    };
  }

  count(id: string): number {
    return this.inFlight.get(id) ?? 0;
  }

  /** Deployments with requests in flight now. */
  busy(): string[] {
    return [...this.inFlight.keys()];
  }

  lastActive(id: string): number | undefined {
    return this.active.get(id);
  }

  /** Seeds the last activity (from the database after a restart) without marking it to be written. */
  seed(id: string, at: number): void {
    if ((this.active.get(id) ?? 0) < at) this.active.set(id, at);
  }

  stamp(id: string): void {
    this.active.set(id, this.now());
    this.dirty.add(id);
  }

  /** Resolves once nothing is in flight for `id` (at once when nothing is). */
  drained(id: string): Promise<void> {
    if (this.count(id) === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const set = this.drainWaiters.get(id) ?? new Set();
      set.add(resolve);
      this.drainWaiters.set(id, set);
    });
  }

  forget(id: string): void {
    this.active.delete(id);
    this.dirty.delete(id);
  }
}
