/**
 * Several servers on one PostgreSQL database (server/cluster/): which servers are alive (heartbeats
 * on the database's own clock, so servers with skewed clocks still agree on who expired) and which
 * server holds which node's agent socket. PostgreSQL only: the clock expressions are its SQL.
 */
import { and, eq, lt, sql } from "drizzle-orm";
import { affectedRows, type DbHandle } from "../client";

/** The database's clock in ms. */
const dbNow = sql<number>`(extract(epoch from clock_timestamp()) * 1000)::bigint`;

export interface Claim {
  node: string;
  serverId: string;
  address: string | null;
  since: number;
}

export interface ClusterRepo {
  registerServer(id: string, label: string, startedAt: number): Promise<void>;
  /** Marks the server alive now; false when its row is gone (pruned while it could not reach the database). */
  heartbeat(id: string): Promise<boolean>;
  /** The servers whose heartbeat is newer than `expiryMs` ago. */
  liveServers(expiryMs: number): Promise<string[]>;
  /** The claims of servers whose heartbeat is newer than `expiryMs` ago. */
  liveClaims(expiryMs: number): Promise<Claim[]>;
  claim(c: Claim): Promise<void>;
  /** Drops a claim if it is still this server's (another may have taken the node meanwhile). */
  release(node: string, serverId: string): Promise<void>;
  /** A server leaving: its row and claims. */
  removeServer(id: string): Promise<void>;
  /** Servers silent for longer than `staleMs`, with their claims; returns how many servers. */
  pruneServers(staleMs: number): Promise<number>;
}

export function clusterRepo(handle: DbHandle): ClusterRepo {
  const { db, schema: { clusterPresence, clusterServers } } = handle;
  return {
    async registerServer(id, label, startedAt) {
      await db.insert(clusterServers).values({ id, label, startedAt, heartbeatAt: dbNow })
        .onConflictDoUpdate({ target: clusterServers.id, set: { heartbeatAt: dbNow } });
    },
    async heartbeat(id) {
      return affectedRows(await db.update(clusterServers).set({ heartbeatAt: dbNow }).where(eq(clusterServers.id, id))) > 0;
    },
    async liveServers(expiryMs) {
      const rows = await db.select({ id: clusterServers.id }).from(clusterServers).where(sql`${clusterServers.heartbeatAt} > ${dbNow} - ${expiryMs}`);
      return rows.map((r) => r.id);
    },
    async liveClaims(expiryMs) {
      return db.select({ node: clusterPresence.node, serverId: clusterPresence.serverId, address: clusterPresence.address, since: clusterPresence.since })
        .from(clusterPresence)
        .innerJoin(clusterServers, eq(clusterServers.id, clusterPresence.serverId))
        .where(sql`${clusterServers.heartbeatAt} > ${dbNow} - ${expiryMs}`);
    },
    async claim(c) {
      await db.insert(clusterPresence).values(c)
        .onConflictDoUpdate({ target: clusterPresence.node, set: { serverId: c.serverId, address: c.address, since: c.since } });
    },
    async release(node, serverId) {
      await db.delete(clusterPresence).where(and(eq(clusterPresence.node, node), eq(clusterPresence.serverId, serverId)));
    },
    async removeServer(id) {
      await handle.transaction(async (tx) => {
        await tx.delete(clusterPresence).where(eq(clusterPresence.serverId, id));
        await tx.delete(clusterServers).where(eq(clusterServers.id, id));
      });
    },
    async pruneServers(staleMs) {
      return handle.transaction(async (tx) => {
        const stale = await tx.delete(clusterServers).where(lt(clusterServers.heartbeatAt, sql`${dbNow} - ${staleMs}`)).returning({ id: clusterServers.id });
        for (const s of stale) await tx.delete(clusterPresence).where(eq(clusterPresence.serverId, s.id));
        return stale.length;
      });
    },
  };
}
