/**
 * Opens the embedded SQLite database and applies the committed migrations in ./drizzle. A failed
 * migration stops the server: running on a half-migrated schema would lose data later.
 */
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";
import { drizzle, type BetterSQLite3Database } from "drizzle-orm/better-sqlite3";
import { migrate } from "drizzle-orm/better-sqlite3/migrator";
import * as schema from "./schema";

export type Db = BetterSQLite3Database<typeof schema>;

export interface DbHandle {
  db: Db;
  /** Rewrites the storage so values overwritten or deleted earlier leave no copy in it (after sealing secrets stored in clear). */
  scrub(): void;
  close(): void;
}

const migrationsFolder = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../drizzle");

export function openDatabase(dataDir: string): DbHandle {
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const file = path.join(dataDir, "switchyard.db");
  // Created owner-only before SQLite opens it: SQLite gives its -wal and -shm files the same mode.
  fs.closeSync(fs.openSync(file, "a", 0o600));
  const sqlite = new Database(file);
  sqlite.pragma("journal_mode = WAL");
  // Freed pages are zeroed, so a secret rewritten (sealed) or removed leaves no copy in the file.
  sqlite.pragma("secure_delete = ON");
  sqlite.pragma("synchronous = NORMAL");
  sqlite.pragma("foreign_keys = ON");
  sqlite.pragma("busy_timeout = 5000");
  const db = drizzle(sqlite, { schema });
  migrate(db, { migrationsFolder });
  const scrub = () => {
    sqlite.pragma("wal_checkpoint(TRUNCATE)");
    sqlite.exec("VACUUM");
    sqlite.pragma("wal_checkpoint(TRUNCATE)");
  };
  return { db, scrub, close: () => sqlite.close() };
}

/** An in-memory database with the real migrations, for tests. */
export function openMemoryDatabase(): DbHandle {
  const sqlite = new Database(":memory:");
  sqlite.pragma("foreign_keys = ON");
  const db = drizzle(sqlite, { schema });
  migrate(db, { migrationsFolder });
  return { db, scrub: () => {}, close: () => sqlite.close() };
}
