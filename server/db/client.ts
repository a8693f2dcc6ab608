/**
 * Opens the server's database: PostgreSQL when SWITCHYARD_DATABASE_URL is set, else the embedded
 * SQLite file in SWITCHYARD_DATA. Either applies the committed migrations first; a failed migration
 * stops the server (running on a half-migrated schema would lose data later).
 */
import type { Logger } from "../../lib/logger";
import type { DbHandle } from "./handle";
import type { PostgresOptions } from "./pg-client";
import { openSqlite, openSqliteMemory } from "./sqlite-client";

export { affectedRows, type Db, type DbHandle, type Dialect, type Schema } from "./handle";

export interface DatabaseTarget {
  dataDir: string;
  /** postgres://… (validated in config/env.ts); absent: SQLite in dataDir. */
  databaseUrl?: string;
}

export async function openDatabase(target: DatabaseTarget, opts: PostgresOptions & { log?: Logger } = {}): Promise<DbHandle> {
  if (!target.databaseUrl) return openSqlite(target.dataDir);
  // Loaded only for PostgreSQL: its driver and schema are ~30 modules an embedded server never runs.
  const { openPostgres } = await import("./pg-client");
  return openPostgres(target.databaseUrl, opts);
}

/** An in-memory SQLite database with the real migrations, for tests. */
export const openMemoryDatabase = openSqliteMemory;
