/**
 * Opens the server's database: PostgreSQL when SWITCHYARD_DATABASE_URL is set, else the embedded
 * SQLite file in SWITCHYARD_DATA. Either applies the committed migrations first; a failed migration
 * stops the server (running on a half-migrated schema would lose data later).
 */
import type { Logger } from "../../lib/logger";
import type { DbHandle } from "./handle";
import { openPostgres, type PostgresOptions } from "./pg-client";
import { openSqlite, openSqliteMemory } from "./sqlite-client";

export { affectedRows, type Db, type DbHandle, type Dialect, type Schema } from "./handle";

export interface DatabaseTarget {
  dataDir: string;
  /** postgres://… (validated in config/env.ts); absent: SQLite in dataDir. */
  databaseUrl?: string;
}

export async function openDatabase(target: DatabaseTarget, opts: PostgresOptions & { log?: Logger } = {}): Promise<DbHandle> {
  return target.databaseUrl ? openPostgres(target.databaseUrl, opts) : openSqlite(target.dataDir);
}

/** An in-memory SQLite database with the real migrations, for tests. */
export const openMemoryDatabase = openSqliteMemory;
