/**
 * GPU history was keyed by GPU UUID alone (one node could write into another's); the agent-identity
 * migration keys it, and the GPU inventory, by node and GPU. History written before it must
 * survive, each row under the node that owns its UUID, on both dialects, and the retention index stay.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { drizzle as drizzleSqlite } from "drizzle-orm/better-sqlite3";
import { migrate as migrateSqlite } from "drizzle-orm/better-sqlite3/migrator";
import { drizzle as drizzlePg } from "drizzle-orm/node-postgres";
import { migrate as migratePg } from "drizzle-orm/node-postgres/migrator";
import pg from "pg";
import { describe, expect, it } from "vitest";
import type { NodeView } from "../../../protocol/live";
import { createHistory } from "../../../server/core/history";
import { openDatabase, type DbHandle } from "../../../server/db/client";
import { migrationsFolder } from "../../../server/db/migrations-folder";
import { samplesRepo } from "../../../server/db/repos/samples-repo";
import { postgresDatabase, postgresSkipReason, useDatabases } from "../../helpers/databases";

const BEFORE = { sqlite: "0005_alerts", postgres: "0001_alerts" } as const;

/** The committed migrations of a dialect up to and including `last`, as a folder drizzle applies. */
function migrationsUpTo(dialect: "sqlite" | "postgres"): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "switchyard-migrations-"));
  fs.cpSync(migrationsFolder(dialect), dir, { recursive: true });
  const journalFile = path.join(dir, "meta", "_journal.json");
  const journal = JSON.parse(fs.readFileSync(journalFile, "utf8")) as { entries: Array<{ tag: string }> };
  journal.entries = journal.entries.slice(0, journal.entries.findIndex((e) => e.tag === BEFORE[dialect]) + 1);
  fs.writeFileSync(journalFile, JSON.stringify(journal));
  return dir;
}

const ROWS = `
  INSERT INTO nodes (id, name, first_seen) VALUES ('n-a', 'box-a', 1), ('n-b', 'box-b', 1);
  INSERT INTO gpus (uuid, node_id, gpu_index, name, last_seen) VALUES ('GPU-a', 'n-a', 0, 'A', 1), ('GPU-b', 'n-b', 0, 'B', 1);
  INSERT INTO gpu_samples (gpu_uuid, resolution_s, ts, mem_used_mib) VALUES ('GPU-a', 1, 1000, 11), ('GPU-a', 60, 60000, 12), ('GPU-b', 1, 1000, 21), ('GPU-gone', 1, 1000, 99);
`;

async function expectHistoryKept(handle: DbHandle) {
  const repo = samplesRepo(handle);
  expect((await repo.gpuSeries("n-a", ["GPU-a"], 1, 0)).map((r) => r.memUsedMiB)).toEqual([11]);
  expect((await repo.gpuSeries("n-a", ["GPU-a"], 60, 0)).map((r) => r.memUsedMiB)).toEqual([12]);
  expect((await repo.gpuSeries("n-b", ["GPU-b"], 1, 0)).map((r) => r.memUsedMiB)).toEqual([21]);
  // Another node naming box-a's UUID reads (and writes) only its own series.
  expect(await repo.gpuSeries("n-b", ["GPU-a"], 1, 0)).toEqual([]);
  const history = createHistory(repo);
  const view = { id: "n-a", name: "box-a", gpus: [{ uuid: "GPU-a", index: 0, name: "A" }] } as unknown as NodeView;
  expect((await history.query(view, "30d", 120_000)).gpus[0]!.points.map((p) => p.memUsedMiB)).toEqual([12]);
}

describe("the node-and-GPU history migration", () => {
  it("keeps SQLite history written before it, under the node that owns each GPU", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "switchyard-history-migration-"));
    const old = new Database(path.join(dir, "switchyard.db"));
    migrateSqlite(drizzleSqlite(old), { migrationsFolder: migrationsUpTo("sqlite") });
    old.exec(ROWS);
    old.close();

    const handle = await openDatabase({ dataDir: dir });
    try {
      await expectHistoryKept(handle);
      const raw = new Database(path.join(dir, "switchyard.db"), { readonly: true });
      const indexes = raw.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'gpu_samples'").all() as Array<{ name: string }>;
      expect(indexes.map((i) => i.name)).toContain("gpu_samples_age_idx");
      expect(raw.prepare("SELECT count(*) AS n FROM gpu_samples WHERE gpu_uuid = 'GPU-gone'").get()).toEqual({ n: 0 });
      raw.close();
    } finally {
      await handle.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  describe.skipIf(postgresSkipReason())("on PostgreSQL", () => {
    useDatabases("postgres"); // drops this file's database afterwards

    it("keeps PostgreSQL history written before it, under the node that owns each GPU", async () => {
      const { url } = await postgresDatabase();
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        await migratePg(drizzlePg(client), { migrationsFolder: migrationsUpTo("postgres") });
        await client.query(ROWS);
      } finally {
        await client.end();
      }
      const handle = await openDatabase({ dataDir: os.tmpdir(), databaseUrl: url }, { poolSize: 2 });
      try {
        await expectHistoryKept(handle);
      } finally {
        await handle.close();
      }
    });
  });
});
