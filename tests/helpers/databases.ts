/**
 * Databases for tests, on each dialect: SQLite in memory or in a file, and PostgreSQL in the run's
 * throwaway cluster (tests/helpers/postgres-cluster.ts), one database per test file, emptied for
 * each `open()`. Call `useDatabases()` inside a describe block: it closes what it opened.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, afterEach, inject } from "vitest";
import { openDatabase, openMemoryDatabase, type DatabaseTarget, type DbHandle } from "../../server/db/client";
import { realComponentsRequired } from "./docker";
import { ensureCluster, postgresBinDir } from "./postgres-cluster";

export type TestDialect = "sqlite" | "postgres";
/** Where a repository test keeps its data: the dialects, and SQLite both in memory and in a WAL file. */
export type TestBackend = "sqlite-memory" | "sqlite-file" | "postgres";

/** Both dialects; SWITCHYARD_TEST_DIALECTS=sqlite (or postgres) narrows a quick local run. */
export const TEST_DIALECTS: TestDialect[] = (["sqlite", "postgres"] as const).filter((d) =>
  (process.env.SWITCHYARD_TEST_DIALECTS ?? "sqlite,postgres").split(",").includes(d));

/**
 * Null when PostgreSQL tests can run, else why not. Throws instead where real components are
 * required (CI), unless SWITCHYARD_TEST_NO_POSTGRES=1 asks to skip them.
 */
export function postgresSkipReason(): string | null {
  if (process.env.SWITCHYARD_TEST_NO_POSTGRES === "1") return "SWITCHYARD_TEST_NO_POSTGRES=1";
  if (postgresBinDir()) return null;
  const reason = "PostgreSQL is not installed (run scripts/install-test-deps.sh)";
  if (realComponentsRequired()) throw new Error(`PostgreSQL tests cannot run: ${reason}`);
  return reason;
}

/** Why a dialect's tests are skipped here (null: they run). */
export const skipReason = (dialect: TestDialect | TestBackend): string | null => (dialect === "postgres" ? postgresSkipReason() : null);

let fileDatabase: Promise<{ url: string; drop(): Promise<void> }> | undefined;

/** This test file's own PostgreSQL database in the run's cluster (made on first use). */
export function postgresDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  fileDatabase ??= (async () => {
    const cluster = await ensureCluster(inject("postgresRunDir"));
    const name = `t_${process.pid}_${Date.now().toString(36)}`;
    const admin = new pg.Client({ connectionString: cluster.url("postgres") });
    await admin.connect();
    await admin.query(`create database ${name}`);
    await admin.end();
    return {
      url: cluster.url(name),
      async drop() {
        const c = new pg.Client({ connectionString: cluster.url("postgres") });
        await c.connect();
        await c.query(`drop database if exists ${name} with (force)`);
        await c.end();
      },
    };
  })();
  return fileDatabase;
}

/** Removes every row of every application table (the migrations' bookkeeping stays). */
async function emptyPostgres(url: string): Promise<void> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const { rows } = await c.query<{ name: string }>("select quote_ident(tablename) as name from pg_tables where schemaname = 'public'");
    if (rows.length > 0) await c.query(`truncate ${rows.map((r) => r.name).join(", ")} restart identity cascade`);
  } finally {
    await c.end();
  }
}

export interface TestDatabases {
  /** A new, empty, migrated database (PostgreSQL: this file's database, emptied). */
  open(): Promise<DbHandle>;
  /** Where a server process should keep its state: a fresh data folder, and the database URL on PostgreSQL. */
  target(): Promise<DatabaseTarget>;
}

export function useDatabases(backend: TestDialect | TestBackend): TestDatabases {
  const handles: DbHandle[] = [];
  const dirs: string[] = [];
  const tempDir = () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "switchyard-test-"));
    dirs.push(dir);
    return dir;
  };
  afterEach(async () => {
    await Promise.all(handles.splice(0).map((h) => h.close()));
  });
  afterAll(async () => {
    for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
    if (backend === "postgres" && fileDatabase) await (await fileDatabase).drop();
    fileDatabase = undefined;
  });
  const track = (h: DbHandle) => (handles.push(h), h);
  return {
    async open() {
      if (backend === "sqlite" || backend === "sqlite-memory") return track(openMemoryDatabase());
      if (backend === "sqlite-file") return track(await openDatabase({ dataDir: tempDir() }));
      const { url } = await postgresDatabase();
      await emptyPostgres(url);
      return track(await openDatabase({ dataDir: tempDir(), databaseUrl: url }, { poolSize: 4 }));
    },
    async target() {
      if (backend !== "postgres") return { dataDir: tempDir() };
      const { url } = await postgresDatabase();
      await emptyPostgres(url);
      return { dataDir: tempDir(), databaseUrl: url };
    },
  };
}
