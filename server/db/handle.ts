/**
 * What the composition root opens and every repository takes: one handle for either dialect.
 *
 * The PostgreSQL handle's `db` and `schema` are typed as the SQLite ones (the contained cast is in
 * pg-client.ts). It works because both schemas have the same tables, columns and exported names
 * (tests/unit/db/schema-parity.test.ts), and repositories only use what both drivers do alike:
 * awaited select/insert/update/delete, `.returning()`, `onConflictDoUpdate/DoNothing`, and
 * `transaction()`. Where SQL must differ, a repository switches on `dialect` in the open.
 */
import type { InferInsertModel } from "drizzle-orm";
import type { BaseSQLiteDatabase, SQLiteTable } from "drizzle-orm/sqlite-core";
import type { SqliteRemoteResult } from "drizzle-orm/sqlite-proxy";
import type * as schema from "./schema";

export type Schema = typeof schema;
/** The query builder every repository sees, a database or a transaction alike, awaited always. */
export type Db = BaseSQLiteDatabase<"async", SqliteRemoteResult, Schema>;
export type Dialect = "sqlite" | "postgres";

export interface DbHandle {
  readonly db: Db;
  /** The tables of this handle's dialect: repositories take them from here, not from ./schema. */
  readonly schema: Schema;
  readonly dialect: Dialect;
  /**
   * Runs `work` in one transaction: committed when it resolves, rolled back when it throws. Use
   * only `tx` inside (the handle's `db` waits for the transaction to end on SQLite: using it inside
   * would wait forever), and keep it to database work: on SQLite every other query waits meanwhile.
   * Nest with `tx.transaction()` (a savepoint), not with this.
   */
  transaction<T>(work: (tx: Db) => Promise<T>): Promise<T>;
  /**
   * Appends `rows` to `table`, all or none, in a transaction of its own: for batches written often
   * (the request log), where an awaited insert per row costs several times the insert itself.
   * Values are taken as `db.insert(table).values(row)` takes them, plain values only (no sql`…`),
   * and on PostgreSQL a column only the database fills when left out (identity, serial, SQL
   * default) is given in every row of a batch or in none (pg-insert-plan.ts). Like `db`, not for
   * use inside `transaction()` (on SQLite it waits for that transaction to end).
   */
  insertMany<T extends SQLiteTable>(table: T, rows: ReadonlyArray<InferInsertModel<T>>): Promise<void>;
  /**
   * Rewrites the storage so that values overwritten or deleted earlier leave no copy in it (after
   * sealing secrets an earlier version stored in clear). SQLite: VACUUM and a truncated WAL.
   * PostgreSQL: VACUUM FULL of the settings table, the only one that held them in clear.
   */
  scrub(): Promise<void>;
  /** Waits for a running transaction, then closes the connection(s). */
  close(): Promise<void>;
}

/**
 * How many rows an awaited insert/update/delete touched: better-sqlite3 says `changes`,
 * node-postgres says `rowCount`.
 */
export function affectedRows(result: unknown): number {
  const r = result as { changes?: number; rowCount?: number | null };
  return r.changes ?? r.rowCount ?? 0;
}
