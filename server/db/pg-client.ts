/**
 * The PostgreSQL dialect (SWITCHYARD_DATABASE_URL): a node-postgres pool behind drizzle. Opening
 * waits for the database with backoff (a server started before its database says so and waits,
 * it does not crash-loop), then applies the committed migrations under an advisory lock, so that
 * several servers starting at once migrate once.
 */
import { drizzle } from "drizzle-orm/node-postgres";
import { migrate } from "drizzle-orm/node-postgres/migrator";
import type { PgTable } from "drizzle-orm/pg-core";
import pg from "pg";
import { backoffMs } from "../../lib/backoff";
import { createLogger, type Logger } from "../../lib/logger";
import { ConfigError } from "../config/env";
import type { Db, DbHandle, Schema } from "./handle";
import { migrationsFolder } from "./migrations-folder";
import { pgInsertPlan, type PgInsertPlan } from "./pg-insert-plan";
import { PG_LOCKS } from "./pg-locks";
import * as pgSchema from "./schema/pg";

export interface PostgresOptions {
  log?: Logger;
  /** Waits between tries while the database cannot be reached: doubling from min to max. */
  retryDelayMs?: { min: number; max: number };
  /** Give up after this many failed tries (default: never; the CLI tries once). */
  maxAttempts?: number;
  /** Connections in the pool. */
  poolSize?: number;
}

/** `user@host:port/db` of a connection URL: for messages (never the password). */
export function describeDatabaseUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.username ? `${decodeURIComponent(u.username)}@` : ""}${u.hostname}:${u.port || 5432}${u.pathname}`;
  } catch {
    return "(an unparsable URL)";
  }
}

/** Why a connection failed, and whether waiting can help. */
export function classifyPgError(err: unknown, where: string): { retry: boolean; reason: string } {
  const e = err as { code?: string; message?: string };
  switch (e.code) {
    case "28P01":
    case "28000":
      return { retry: false, reason: `PostgreSQL at ${where} refused the credentials in SWITCHYARD_DATABASE_URL (${e.message})` };
    case "3D000":
      return { retry: false, reason: `${e.message} at ${where}: create it (createdb) or fix the name in SWITCHYARD_DATABASE_URL` };
    case "ECONNREFUSED":
      return { retry: true, reason: `nothing listens at ${where}` };
    case "ENOTFOUND":
    case "EAI_AGAIN":
      return { retry: true, reason: `the host of ${where} does not resolve` };
    case "57P03":
      return { retry: true, reason: `PostgreSQL at ${where} is starting up` };
    default:
      return { retry: true, reason: `${where}: ${e.message ?? String(err)}` };
  }
}

async function waitUntilReachable(pool: pg.Pool, where: string, opts: Required<Pick<PostgresOptions, "retryDelayMs">> & PostgresOptions, log: Logger) {
  for (let attempt = 1; ; attempt++) {
    try {
      await pool.query("select 1");
      if (attempt > 1) log.info({ database: where, attempt }, "PostgreSQL is reachable");
      return;
    } catch (err) {
      const { retry, reason } = classifyPgError(err, where);
      if (!retry) throw new ConfigError(reason);
      if (opts.maxAttempts !== undefined && attempt >= opts.maxAttempts) throw new ConfigError(`PostgreSQL is unreachable: ${reason}`);
      const delay = backoffMs(attempt - 1, { baseMs: opts.retryDelayMs.min, maxMs: opts.retryDelayMs.max });
      log.warn({ database: where, attempt, retryInS: delay / 1000 }, `PostgreSQL is unreachable (${reason}); retrying in ${delay / 1000} s`);
      await new Promise((r) => setTimeout(r, delay));
    }
  }
}

/** Applies drizzle/pg on one connection that holds the migrations lock meanwhile. */
async function migrateLocked(pool: pg.Pool) {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query("select pg_advisory_lock($1)", [PG_LOCKS.migrations]);
    try {
      await migrate(drizzle(client), { migrationsFolder: migrationsFolder("postgres") });
    } finally {
      await client.query("select pg_advisory_unlock($1)", [PG_LOCKS.migrations]);
    }
  } catch (err) {
    broken = err as Error;
    throw err;
  } finally {
    client.release(broken); // a connection that failed midway is dropped, releasing its lock too
  }
}

export async function openPostgres(url: string, opts: PostgresOptions = {}): Promise<DbHandle> {
  const log = opts.log ?? createLogger("db");
  const where = describeDatabaseUrl(url);
  const pool = new pg.Pool({ connectionString: url, max: opts.poolSize ?? 10, connectionTimeoutMillis: 10_000, application_name: "switchyard" });
  // An idle connection dropped by the server (a restart, a failover) must not take the process down.
  pool.on("error", (err) => log.warn({ database: where, err: err.message }, "PostgreSQL dropped an idle connection"));
  try {
    await waitUntilReachable(pool, where, { retryDelayMs: { min: 1000, max: 30_000 }, ...opts }, log);
    await migrateLocked(pool);
  } catch (err) {
    await pool.end().catch(() => undefined);
    throw err;
  }
  const pgDb = drizzle(pool, { schema: pgSchema });
  // The contained cast (see handle.ts): same tables, columns and names; repositories use only
  // what both drivers share.
  const db = pgDb as unknown as Db;
  const insertPlans = new Map<PgTable, PgInsertPlan>();
  return {
    db,
    schema: pgSchema as unknown as Schema,
    dialect: "postgres",
    transaction: (work) => pgDb.transaction((tx) => work(tx as unknown as Db)),
    // One statement of one array per column (pg-insert-plan.ts): atomic on its own, on a pooled
    // connection of its own, so an open transaction neither holds it back nor takes it along.
    async insertMany(sqliteTable, rows) {
      if (rows.length === 0) return;
      const table = sqliteTable as unknown as PgTable; // this handle's schema holds PostgreSQL tables
      let plan = insertPlans.get(table);
      if (!plan) insertPlans.set(table, (plan = pgInsertPlan(pgDb, table)));
      await pool.query(plan.statement(rows as ReadonlyArray<Record<string, unknown>>));
    },
    // Dead row versions of the settings rewritten when sealing stay in the table's pages until a
    // vacuum; FULL rewrites the (small) table now. Its WAL and base backups are the operator's.
    scrub: async () => void (await pool.query("VACUUM FULL settings")),
    close: () => pool.end(),
  };
}
