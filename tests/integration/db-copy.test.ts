/**
 * `npm run db:copy -- --to postgres://…`: the embedded database of a data folder (one made by the
 * release before PostgreSQL, plus enough rows to need many batches) arrives whole in an empty
 * PostgreSQL database; a non-empty target is refused; a copy that fails halfway leaves nothing.
 */
import { execFile } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import Database from "better-sqlite3";
import { asc, getTableColumns } from "drizzle-orm";
import { afterAll, describe, expect, it } from "vitest";
import { openDatabase, type DbHandle } from "../../server/db/client";
import { copyDatabase, tablesInCopyOrder } from "../../server/db/copy";
import { gatewayRepo } from "../../server/db/repos/gateway-repo";
import { samplesRepo } from "../../server/db/repos/samples-repo";
import * as schema from "../../server/db/schema";
import { postgresSkipReason, useDatabases } from "../helpers/databases";
import { ROOT } from "../helpers/processes";

const run = promisify(execFile);

async function dbCopy(args: string[], dataDir: string): Promise<{ code: number; out: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, ["--import", "tsx", path.join(ROOT, "server/db/copy-cli.ts"), ...args],
      { cwd: ROOT, env: { ...process.env, SWITCHYARD_DATA: dataDir, LOG_LEVEL: "warn" } });
    return { code: 0, out: stdout + stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, out: e.stdout + e.stderr };
  }
}

/** Every row of every table, in primary-key order, as the repositories would read them. */
async function contents(handle: DbHandle): Promise<Record<string, unknown[]>> {
  const out: Record<string, unknown[]> = {};
  for (const [key] of tablesInCopyOrder(schema)) { // the same keys on both dialects
    const table = handle.schema[key as keyof typeof handle.schema];
    const cols = Object.values(getTableColumns(table));
    out[key] = await handle.db.select().from(table).orderBy(...cols.map((c) => asc(c)));
  }
  return out;
}

describe.skipIf(postgresSkipReason())("db:copy into PostgreSQL", () => {
  const databases = useDatabases("postgres");
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

  /** A data folder holding the fixture database of the release before PostgreSQL, plus `extra` rows. */
  async function dataFolder(extra: (h: DbHandle) => Promise<void> = async () => {}): Promise<string> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "switchyard-copy-"));
    dirs.push(dir);
    const db = new Database(path.join(dir, "switchyard.db"));
    db.exec(fs.readFileSync(path.join(ROOT, "tests/fixtures/db/sqlite-before-postgres.sql"), "utf8"));
    db.close();
    const handle = await openDatabase({ dataDir: dir });
    await extra(handle);
    await handle.close();
    return dir;
  }

  it("copies every table whole, says so, and new ids continue after the copied ones", async () => {
    const dir = await dataFolder(async (h) => {
      const T = 1_796_100_000_000;
      await samplesRepo(h).insertGpu(Array.from({ length: 2600 }, (_, i) => ({ nodeId: "n-copy", gpuUuid: `GPU-${i % 4}`, resolutionS: 1, ts: T + Math.floor(i / 4) * 1000, utilGpuPct: i % 100, memUsedMiB: 1.5, tempC: null, powerW: 99.25 })));
      await gatewayRepo(h).insertRequests(Array.from({ length: 700 }, (_, i) => ({ ts: T + i, endpoint: "/v1/messages", attempts: 1, failovers: 0, status: i % 7 ? 200 : 529, stream: i % 2 === 0, durationMs: i, error: i === 3 ? "bad\0byte" : null })));
    });
    const { databaseUrl } = await databases.target();
    const { code, out } = await dbCopy(["--to", databaseUrl!], dir);
    expect(out).toMatch(/gpu_samples: 2603 rows/);
    expect(out).toMatch(/gateway_requests: 701 rows/);
    expect(out).toMatch(/1 text values held NUL characters/);
    expect(out).toMatch(/Copied \d+ rows .* every table's row count matches/);
    expect(code).toBe(0);

    const source = await openDatabase({ dataDir: dir });
    const target = await openDatabase({ dataDir: dir, databaseUrl });
    try {
      const want = await contents(source);
      (want.gatewayRequests as Array<{ error: string | null }>).forEach((r) => (r.error = r.error?.replace("\0", "\uFFFD") ?? null));
      expect(await contents(target)).toEqual(want);
      await gatewayRepo(target).insertRequests([{ ts: 1, endpoint: "/v1/models", attempts: 1, failovers: 0, status: 200, stream: false, durationMs: 1 }]);
      expect((await gatewayRepo(target).requests({ limit: 1 }))[0]!.id).toBe(702);
    } finally {
      await source.close();
      await target.close();
    }

    // Once more into the same, now full, database: refused, and nothing changes.
    const again = await dbCopy(["--to", databaseUrl!], dir);
    expect(again.code).toBe(1);
    expect(again.out).toMatch(/the target database is not empty: .*nodes \(1 rows\).*Copy into a new, empty database/);
  });

  it("refuses bad usage with exit code 2 and a reason", async () => {
    const dir = await dataFolder();
    const missing = await dbCopy([], dir);
    expect([missing.code, missing.out]).toEqual([2, expect.stringMatching(/--to is missing/)]);
    const wrong = await dbCopy(["--to", "mysql://root@db/sy"], dir);
    expect([wrong.code, wrong.out]).toEqual([2, expect.stringMatching(/--to has the scheme mysql: but must look like postgres:\/\//)]);
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), "switchyard-copy-"));
    dirs.push(empty);
    const noDb = await dbCopy(["--to", "postgres://u@127.0.0.1:1/db"], empty);
    expect([noDb.code, noDb.out]).toEqual([2, expect.stringMatching(/no embedded database at .*switchyard\.db: set SWITCHYARD_DATA/)]);
  });

  it("leaves the target empty when a row cannot be copied", async () => {
    // SQLite stores text in an integer column when told to; PostgreSQL refuses it.
    const dir = await dataFolder(async (h) => {
      await samplesRepo(h).insertHost([{ nodeId: "n", resolutionS: 1, ts: 1, cpuPct: 1, memUsedBytes: 1 }]);
    });
    const raw = new Database(path.join(dir, "switchyard.db"));
    raw.exec("update host_samples set ts = 'not a number' where node_id = 'n'");
    raw.close();
    const source = await openDatabase({ dataDir: dir });
    const target = await databases.open();
    try {
      await expect(copyDatabase(source, target)).rejects.toThrow(/host_samples/);
      const counts = Object.values(await contents(target)).map((rows) => rows.length);
      expect(counts.every((n) => n === 0)).toBe(true);
    } finally {
      await source.close();
    }
  });
});
