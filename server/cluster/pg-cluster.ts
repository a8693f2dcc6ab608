/**
 * The Cluster (server/core/cluster/cluster.ts) of several servers on one PostgreSQL database.
 *
 * Leader: a session-level advisory lock on a connection of its own. Whoever holds it runs the jobs
 * that must run once; the others try again every second, so when the leader's process dies (its
 * connection closes and PostgreSQL releases the lock) another server takes over within about a
 * second. A leader that loses its connection stops leading at once, before anyone else can start.
 *
 * Node locks: an advisory lock per node, (NODE_LOCK_CLASS, hashtext(node)), held on a pooled
 * connection for as long as the decision runs; in-process waiters queue in memory first, so one
 * server never holds more than one connection per node.
 */
import pg from "pg";
import type { Logger } from "../../lib/logger";
import { singleServerCluster, type Cluster } from "../core/cluster/cluster";
import { ServiceError } from "../core/errors";
import { NODE_LOCK_CLASS, PG_LOCKS } from "../db/pg-locks";
import { openPgSession } from "./pg-session";

export interface PostgresCluster extends Cluster {
  /** Hears leadership being won (true) or lost (false). */
  onLeaderChange(listener: (leading: boolean) => void): () => void;
  close(): Promise<void>;
}

export interface PostgresClusterOptions {
  url: string;
  serverId: string;
  log: Logger;
  /** How often a follower tries the lock and the leader checks its connection. */
  checkEveryMs?: number;
  /** Connections for node locks held at once by this server. */
  lockConnections?: number;
  retryMs?: { min: number; max: number };
}

export function createPostgresCluster(opts: PostgresClusterOptions): PostgresCluster {
  const { log } = opts;
  const listeners = new Set<(leading: boolean) => void>();
  const checkEveryMs = opts.checkEveryMs ?? 1000;
  let leading = false;
  let checking = false;
  /** A server whose lock connection just failed waits a few rounds, so a healthy one takes over. */
  let yieldUntil = 0;

  const setLeading = (value: boolean) => {
    if (leading === value) return;
    leading = value;
    log.info({ server: opts.serverId }, value ? "this server now leads (runs the jobs that run once)" : "this server no longer leads");
    for (const l of listeners) l(value);
  };

  const session = openPgSession({
    url: opts.url, name: "leader", log, retryMs: opts.retryMs,
    onUp: () => void check(),
    onLost: () => {
      if (leading) yieldUntil = Date.now() + 3 * checkEveryMs;
      setLeading(false);
    },
  });

  const check = async () => {
    const client = session.client();
    if (!client || checking) return;
    checking = true;
    try {
      if (!leading) {
        if (Date.now() < yieldUntil) return;
        const { rows } = await client.query<{ ok: boolean }>("select pg_try_advisory_lock($1) as ok", [PG_LOCKS.leader]);
        if (rows[0]?.ok && session.client() === client) setLeading(true);
      } else {
        await client.query("select 1");
      }
    } catch (err) {
      if (leading) yieldUntil = Date.now() + 3 * checkEveryMs;
      setLeading(false);
      log.warn({ err: (err as Error).message }, "the leader connection failed");
      session.reset();
    } finally {
      checking = false;
    }
  };
  const timer = setInterval(() => void check(), checkEveryMs);
  timer.unref();

  const lockPool = new pg.Pool({ connectionString: opts.url, max: opts.lockConnections ?? 8, connectionTimeoutMillis: 5000, application_name: "switchyard-locks" });
  lockPool.on("error", () => {}); // an idle lock connection dropped (a database restart): the pool makes a new one
  const local = singleServerCluster(opts.serverId);

  const pgNodeLock = async <T>(node: string, fn: () => Promise<T>): Promise<T> => {
    let client: pg.PoolClient;
    try {
      client = await lockPool.connect();
    } catch (err) {
      throw new ServiceError("unavailable", `cannot decide for node ${node} now: the database is unreachable (${(err as Error).message})`);
    }
    let broken: Error | undefined;
    try {
      await client.query("select pg_advisory_lock($1, hashtext($2))", [NODE_LOCK_CLASS, node]);
    } catch (err) {
      client.release(err as Error);
      throw new ServiceError("unavailable", `cannot decide for node ${node} now: taking its lock failed (${(err as Error).message})`);
    }
    try {
      return await fn();
    } finally {
      try {
        await client.query("select pg_advisory_unlock($1, hashtext($2))", [NODE_LOCK_CLASS, node]);
      } catch (err) {
        broken = err as Error; // dropping the connection releases the lock too
      }
      client.release(broken);
    }
  };

  return {
    serverId: opts.serverId,
    isLeader: () => leading,
    withNodeLock: (node, fn) => local.withNodeLock(node, () => pgNodeLock(node, fn)),
    onLeaderChange(listener) {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
    async close() {
      clearInterval(timer);
      setLeading(false);
      await session.close();
      await lockPool.end().catch(() => {});
    },
  };
}
