/**
 * Gateway tables: API keys (hashes only), dashboard-made routes, and the request log. Writes come
 * in batches from in-memory buffers (usage counters, log rows), never one per client request.
 */
import { and, desc, eq, lt, notInArray, sql, type SQL } from "drizzle-orm";
import type Database from "better-sqlite3";
import type { Db } from "../client";
import { gatewayKeys, gatewayRequests, gatewayRoutes } from "../schema";

export type GatewayKeyRow = typeof gatewayKeys.$inferSelect;
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
  keys(): GatewayKeyRow[];
  insertKey(row: typeof gatewayKeys.$inferInsert): void;
  revokeKey(id: string, at: number): void;
  deleteKey(id: string): void;
  /** Config-file keys: inserted or updated by name; config rows no longer in the file are removed. */
  syncConfigKeys(rows: Array<typeof gatewayKeys.$inferInsert>): void;
  addUsage(deltas: UsageDelta[]): void;
  routes(): GatewayRouteRow[];
  upsertRoute(model: string, targets: string, at: number): void;
  deleteRoute(model: string): boolean;
  insertRequests(rows: GatewayRequestRow[]): void;
  requests(q: RequestQuery): Array<typeof gatewayRequests.$inferSelect>;
  pruneRequests(beforeTs: number): number;
}

const REQUEST_COLUMNS = ["ts", "key_name", "endpoint", "model_asked", "target", "attempts", "failovers", "status", "stream", "ttft_ms", "duration_ms", "input_tokens", "output_tokens", "error", "body"] as const;

export function gatewayRepo(db: Db): GatewayRepo {
  // drizzle's better-sqlite3 instance carries its client; the shared Db type does not say so.
  const sqlite = (db as Db & { $client: Database.Database }).$client;
  const insertRow = sqlite.prepare(`INSERT INTO gateway_requests (${REQUEST_COLUMNS.join(", ")}) VALUES (${REQUEST_COLUMNS.map(() => "?").join(", ")})`);
  const insertMany = sqlite.transaction((rows: GatewayRequestRow[]) => {
    for (const r of rows) {
      insertRow.run(r.ts, r.keyName ?? null, r.endpoint, r.modelAsked ?? null, r.target ?? null, r.attempts, r.failovers, r.status, r.stream ? 1 : 0,
        r.ttftMs ?? null, r.durationMs, r.inputTokens ?? null, r.outputTokens ?? null, r.error ?? null, r.body ?? null);
    }
  });
  return {
    keys: () => db.select().from(gatewayKeys).all(),
    insertKey: (row) => void db.insert(gatewayKeys).values(row).run(),
    revokeKey: (id, at) => void db.update(gatewayKeys).set({ revokedAt: at }).where(eq(gatewayKeys.id, id)).run(),
    deleteKey: (id) => void db.delete(gatewayKeys).where(eq(gatewayKeys.id, id)).run(),
    syncConfigKeys(rows) {
      db.transaction((tx) => {
        const names = rows.map((r) => r.name);
        tx.delete(gatewayKeys).where(and(eq(gatewayKeys.source, "config"), names.length ? notInArray(gatewayKeys.name, names) : sql`1`)).run();
        for (const r of rows) {
          // A dashboard key with the same name or hash yields to the file (the file is read at every start).
          tx.delete(gatewayKeys).where(and(eq(gatewayKeys.source, "ui"), sql`(${gatewayKeys.name} = ${r.name} OR ${gatewayKeys.hash} = ${r.hash})`)).run();
          tx.insert(gatewayKeys).values(r).onConflictDoUpdate({
            target: gatewayKeys.name,
            set: { hash: r.hash, prefix: r.prefix, models: r.models ?? null, revokedAt: null, source: "config" },
          }).run();
        }
      });
    },
    addUsage(deltas) {
      if (deltas.length === 0) return;
      db.transaction((tx) => {
        for (const d of deltas) {
          tx.update(gatewayKeys).set({
            requests: sql`${gatewayKeys.requests} + ${d.requests}`,
            inputTokens: sql`${gatewayKeys.inputTokens} + ${d.inputTokens}`,
            outputTokens: sql`${gatewayKeys.outputTokens} + ${d.outputTokens}`,
            lastUsedAt: d.lastUsedAt,
          }).where(eq(gatewayKeys.id, d.id)).run();
        }
      });
    },
    routes: () => db.select().from(gatewayRoutes).all(),
    upsertRoute(model, targets, at) {
      db.insert(gatewayRoutes).values({ model, targets, createdAt: at, updatedAt: at })
        .onConflictDoUpdate({ target: gatewayRoutes.model, set: { targets, updatedAt: at } }).run();
    },
    deleteRoute: (model) => db.delete(gatewayRoutes).where(eq(gatewayRoutes.model, model)).run().changes > 0,
    insertRequests(rows) {
      // Thousands of rows a second under load: one prepared statement in one transaction costs a
      // few µs a row, where building the SQL through the query builder cost several times that.
      insertMany(rows);
    },
    requests(q) {
      const where: SQL[] = [];
      if (q.beforeId !== undefined) where.push(lt(gatewayRequests.id, q.beforeId));
      if (q.model) where.push(eq(gatewayRequests.modelAsked, q.model));
      if (q.keyName) where.push(eq(gatewayRequests.keyName, q.keyName));
      if (q.failedOnly) where.push(sql`(${gatewayRequests.status} >= 400 OR ${gatewayRequests.failovers} > 0)`);
      return db.select().from(gatewayRequests).where(where.length ? and(...where) : undefined).orderBy(desc(gatewayRequests.id)).limit(q.limit).all();
    },
    pruneRequests: (beforeTs) => db.delete(gatewayRequests).where(lt(gatewayRequests.ts, beforeTs)).run().changes,
  };
}

