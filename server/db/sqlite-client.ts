/**
 * The embedded SQLite dialect: one better-sqlite3 connection behind drizzle's async ("proxy")
 * driver, so repositories await the same queries they await on PostgreSQL.
 *
 * Why not drizzle's better-sqlite3 driver: its transactions are synchronous, and an async
 * transaction body on a single connection lets any other async work that runs between its awaits
 * slip its statements into the open transaction (and lose them with a rollback). Here every
 * statement outside a transaction waits while one is open, and transactions take turns.
 * Batches of appended rows (insertMany) skip the async driver: one prepared statement per table,
 * run synchronously for every row in one transaction, behind the same gate.
 */
import fs from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { drizzle as drizzleSync } from "drizzle-orm/better-sqlite3";
import { migrate } from "drizzle-orm/better-sqlite3/migrator";
import { drizzle as drizzleAsync } from "drizzle-orm/sqlite-proxy";
import type { SQLiteTable } from "drizzle-orm/sqlite-core";
import * as schema from "./schema";
import type { Db, DbHandle } from "./handle";
import { migrationsFolder } from "./migrations-folder";
import { insertPlan } from "./sqlite-insert-plan";

type Method = "run" | "all" | "values" | "get";

/** Prepared statements by SQL text: repositories send the same few dozen shapes over and over. */
const STATEMENT_CACHE = 256;

function executor(sqlite: Database.Database) {
  const cache = new Map<string, Database.Statement>();
  const statement = (text: string) => {
    let stmt = cache.get(text);
    if (stmt) {
      cache.delete(text); // re-inserted below: Map order is the LRU order
    } else {
      stmt = sqlite.prepare(text);
      if (stmt.reader) stmt.raw(true); // drizzle maps rows from arrays
      if (cache.size >= STATEMENT_CACHE) cache.delete(cache.keys().next().value!);
    }
    cache.set(text, stmt);
    return stmt;
  };
  return (text: string, params: unknown[], method: Method): { rows: unknown } & Partial<Database.RunResult> => {
    const stmt = statement(text);
    if (method === "run" || !stmt.reader) return { rows: [], ...stmt.run(...params) };
    if (method === "get") return { rows: stmt.get(...params) };
    return { rows: stmt.all(...params) };
  };
}

function open(file: string, pragmas: string[]): DbHandle {
  const sqlite = new Database(file);
  for (const p of pragmas) sqlite.pragma(p);
  // The migrator of the synchronous driver: it is what main's releases ran, so the bookkeeping
  // (__drizzle_migrations, keyed by each migration's timestamp) stays exactly as they left it.
  migrate(drizzleSync(sqlite), { migrationsFolder: migrationsFolder("sqlite") });

  const exec = executor(sqlite);
  let openTx: Promise<void> | null = null;
  let turn: Promise<unknown> = Promise.resolve();

  const gated = async (text: string, params: unknown[], method: Method) => {
    while (openTx) await openTx;
    return exec(text, params, method) as { rows: unknown[] };
  };
  const direct = async (text: string, params: unknown[], method: Method) => exec(text, params, method) as { rows: unknown[] };
  const db: Db = drizzleAsync(gated, { schema });
  const txDb: Db = drizzleAsync(direct, { schema });
  const batchInserts = new Map<SQLiteTable, { values: (row: Record<string, unknown>) => unknown[]; run: (rows: unknown[][]) => void }>();
  const batchInsert = (table: SQLiteTable) => {
    let batch = batchInserts.get(table);
    if (!batch) {
      const plan = insertPlan(db, table);
      const stmt = sqlite.prepare(plan.text);
      // better-sqlite3's transaction: BEGIN IMMEDIATE … COMMIT around the loop, ROLLBACK if a row throws.
      const run = sqlite.transaction((rows: unknown[][]) => {
        for (const values of rows) stmt.run(values);
      });
      batch = { values: plan.values, run: (rows) => run.immediate(rows) };
      batchInserts.set(table, batch);
    }
    return batch;
  };

  const handle: DbHandle = {
    db,
    schema,
    dialect: "sqlite",
    transaction(work) {
      const run = async () => {
        let done!: () => void;
        openTx = new Promise<void>((resolve) => (done = resolve));
        try {
          // IMMEDIATE: take the write lock at BEGIN, so another process (db:copy, a second
          // server by mistake) makes this wait on busy_timeout instead of failing halfway.
          return await txDb.transaction((tx) => work(tx), { behavior: "immediate" });
        } finally {
          openTx = null;
          done();
        }
      };
      const result = turn.then(run, run);
      turn = result.catch(() => undefined);
      return result;
    },
    async insertMany(table, rows) {
      if (rows.length === 0) return;
      const batch = batchInsert(table);
      const values = rows.map((row) => batch.values(row as Record<string, unknown>));
      // The same gate as every other statement: better-sqlite3 would run this batch as a savepoint
      // inside an async transaction left open on this connection, and that transaction's rollback
      // would take the batch with it. Once the gate is open, the batch runs to its COMMIT without
      // yielding, so no transaction can begin in between (a transaction closes the gate before its
      // BEGIN and opens it after its COMMIT or ROLLBACK).
      while (openTx) await openTx;
      batch.run(values);
    },
    async scrub() {
      await turn;
      sqlite.pragma("wal_checkpoint(TRUNCATE)");
      sqlite.exec("VACUUM");
      sqlite.pragma("wal_checkpoint(TRUNCATE)");
    },
    async close() {
      await turn;
      sqlite.close();
    },
  };
  // `db.transaction()` on this connection would BEGIN without closing the gate: make it the safe one.
  Object.defineProperty(db, "transaction", { value: <T>(work: (tx: Db) => Promise<T>) => handle.transaction(work) });
  return handle;
}

/** The embedded database of a server: `switchyard.db` in its data directory. */
export function openSqlite(dataDir: string): DbHandle {
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const file = path.join(dataDir, "switchyard.db");
  // Created owner-only before SQLite opens it: SQLite gives its -wal and -shm files the same mode.
  fs.closeSync(fs.openSync(file, "a", 0o600));
  // secure_delete: freed pages are zeroed, so a secret rewritten (sealed) or removed leaves no copy in the file.
  return open(file, ["journal_mode = WAL", "secure_delete = ON", "synchronous = NORMAL", "foreign_keys = ON", "busy_timeout = 5000"]);
}

/** An in-memory database with the real migrations, for tests. */
export function openSqliteMemory(): DbHandle {
  return open(":memory:", ["foreign_keys = ON"]);
}
