/**
 * What the core needs to know about other servers on the same database (a "control plane" of
 * several servers, PostgreSQL): whether this server runs the jobs that must run once (retention,
 * idle unload, alerts, calibration), and a lock that lets one server at a time decide something
 * about one node (on-demand loads). A single server (SQLite, or PostgreSQL alone) is always the
 * leader and locks in memory; the PostgreSQL implementation uses advisory locks.
 */
export interface Cluster {
  /** This server's id (stable for the process's life). */
  readonly serverId: string;
  /** True while this server holds the leader lock: jobs that must run once run only here. */
  isLeader(): boolean;
  /** Runs `fn` while holding the per-node decision lock (waits for it); released when `fn` settles. */
  withNodeLock<T>(node: string, fn: () => Promise<T>): Promise<T>;
}

/** One server on its own: always the leader; node locks are in-process mutexes. */
export function singleServerCluster(serverId = "local"): Cluster {
  const tails = new Map<string, Promise<unknown>>();
  return {
    serverId,
    isLeader: () => true,
    withNodeLock(node, fn) {
      const previous = tails.get(node) ?? Promise.resolve();
      const run = previous.then(fn, fn);
      const tail = run.catch(() => undefined);
      tails.set(node, tail);
      void tail.then(() => {
        if (tails.get(node) === tail) tails.delete(node);
      });
      return run;
    },
  };
}
