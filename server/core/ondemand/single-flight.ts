/**
 * One run per key at a time: every caller that arrives while a run is under way gets the same
 * promise (all requests waiting for one model's load wait for one start). The key is free again
 * once the run settles, so the next caller after a failure starts afresh.
 */
export class SingleFlight<K, T> {
  private readonly runs = new Map<K, Promise<T>>();

  run(key: K, fn: () => Promise<T>): Promise<T> {
    const running = this.runs.get(key);
    if (running) return running;
    const p = (async () => fn())();
    this.runs.set(key, p);
    const clear = () => {
      if (this.runs.get(key) === p) this.runs.delete(key);
    };
    p.then(clear, clear);
    return p;
  }

  has(key: K): boolean {
    return this.runs.has(key);
  }

  get(key: K): Promise<T> | undefined {
    return this.runs.get(key);
  }
}
