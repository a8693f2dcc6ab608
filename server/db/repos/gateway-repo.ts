/**
 * Gateway tables: API keys (hashes only), dashboard-made routes, and the request log. Writes come
 * in batches from in-memory buffers (usage counters, log rows), never one per client request.
 */
import { and, desc, eq, lt, notInArray, or, sql, type SQL } from "drizzle-orm";
import { affectedRows, type DbHandle } from "../client";
import type { gatewayKeys, gatewayRequests, gatewayRoutes } from "../schema";

export type GatewayKeyRow = typeof gatewayKeys.$inferSelect;
export type GatewayKeyInsert = typeof gatewayKeys.$inferInsert;
export type GatewayRequestRow = typeof gatewayRequests.$inferInsert;
export type GatewayRouteRow = typeof gatewayRoutes.$inferSelect;

export interface UsageDelta {
  id: string;
  requests: number;
  inputTokens: number;
  outputTokens: number;
  lastUsedAt: number;
}

export interface RequestQuery {
  limit: number;
  beforeId?: number;
  model?: string;
  keyName?: string;
  failedOnly?: boolean;
}

export interface GatewayRepo {
  keys(): Promise<GatewayKeyRow[]>;
  insertKey(row: GatewayKeyInsert): Promise<void>;
  revokeKey(id: string, at: number): Promise<void>;
  deleteKey(id: string): Promise<void>;
  /** Config-file keys: inserted or updated by name; config rows no longer in the file are removed. */
  syncConfigKeys(rows: GatewayKeyInsert[]): Promise<void>;
  addUsage(deltas: UsageDelta[]): Promise<void>;
  routes(): Promise<GatewayRouteRow[]>;
  upsertRoute(model: string, targets: string, at: number): Promise<void>;
  deleteRoute(model: string): Promise<boolean>;
  insertRequests(rows: GatewayRequestRow[]): Promise<void>;
  requests(q: RequestQuery): Promise<Array<typeof gatewayRequests.$inferSelect>>;
  pruneRequests(beforeTs: number): Promise<number>;
}

export function gatewayRepo(handle: DbHandle): GatewayRepo {
  const { db, schema: { gatewayKeys, gatewayRequests, gatewayRoutes } } = handle;
  return {
    async keys() {
      return db.select().from(gatewayKeys);
    },
    async insertKey(row) {
      await db.insert(gatewayKeys).values(row);
    },
    async revokeKey(id, at) {
      await db.update(gatewayKeys).set({ revokedAt: at }).where(eq(gatewayKeys.id, id));
    },
    async deleteKey(id) {
      await db.delete(gatewayKeys).where(eq(gatewayKeys.id, id));
    },
    async syncConfigKeys(rows) {
      await handle.transaction(async (tx) => {
        const names = rows.map((r) => r.name);
        await tx.delete(gatewayKeys).where(and(eq(gatewayKeys.source, "config"), names.length ? notInArray(gatewayKeys.name, names) : undefined));
        for (const r of rows) {
          // A dashboard key with the same name or hash yields to the file (the file is read at every start).
          await tx.delete(gatewayKeys).where(and(eq(gatewayKeys.source, "ui"), or(eq(gatewayKeys.name, r.name), eq(gatewayKeys.hash, r.hash))));
          await tx.insert(gatewayKeys).values(r).onConflictDoUpdate({
            target: gatewayKeys.name,
            set: { hash: r.hash, prefix: r.prefix, models: r.models ?? null, revokedAt: null, source: "config" },
          });
        }
      });
    },
    async addUsage(deltas) {
      if (deltas.length === 0) return;
      await handle.transaction(async (tx) => {
        for (const d of deltas) {
          await tx.update(gatewayKeys).set({
            requests: sql`${gatewayKeys.requests} + ${d.requests}`,
            inputTokens: sql`${gatewayKeys.inputTokens} + ${d.inputTokens}`,
            outputTokens: sql`${gatewayKeys.outputTokens} + ${d.outputTokens}`,
            lastUsedAt: d.lastUsedAt,
          }).where(eq(gatewayKeys.id, d.id));
        }
      });
    },
    async routes() {
      return db.select().from(gatewayRoutes);
    },
    async upsertRoute(model, targets, at) {
      await db.insert(gatewayRoutes).values({ model, targets, createdAt: at, updatedAt: at })
        .onConflictDoUpdate({ target: gatewayRoutes.model, set: { targets, updatedAt: at } });
    },
    async deleteRoute(model) {
      return affectedRows(await db.delete(gatewayRoutes).where(eq(gatewayRoutes.model, model))) > 0;
    },
    async insertRequests(rows) {
      // Thousands of rows a second under load: one prepared statement run per row in one
      // transaction (SQLite), one multi-row statement (PostgreSQL); see DbHandle.insertMany.
      await handle.insertMany(gatewayRequests, rows);
    },
    async requests(q) {
      const where: SQL[] = [];
      if (q.beforeId !== undefined) where.push(lt(gatewayRequests.id, q.beforeId));
      if (q.model) where.push(eq(gatewayRequests.modelAsked, q.model));
      if (q.keyName) where.push(eq(gatewayRequests.keyName, q.keyName));
      if (q.failedOnly) where.push(sql`(${gatewayRequests.status} >= 400 OR ${gatewayRequests.failovers} > 0)`);
      return db.select().from(gatewayRequests).where(where.length ? and(...where) : undefined).orderBy(desc(gatewayRequests.id)).limit(q.limit);
    },
    async pruneRequests(beforeTs) {
      return affectedRows(await db.delete(gatewayRequests).where(lt(gatewayRequests.ts, beforeTs)));
    },
  };
}
