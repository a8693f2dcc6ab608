/**
 * Opening a database: an embedded one made by the release before the PostgreSQL dialect keeps
 * migrating from where it was (the migrations moved to drizzle/sqlite); several servers opening one
 * fresh PostgreSQL database at once migrate it once; a database that cannot be reached yet is
 * waited for, one that does not exist is reported at once.
 */
import { spawn } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import pg from "pg";
import pino from "pino";
import { afterAll, describe, expect, it } from "vitest";
import { ConfigError } from "../../../server/config/env";
import { openDatabase } from "../../../server/db/client";
import { migrationsFolder } from "../../../server/db/migrations-folder";
import { deploymentsRepo } from "../../../server/db/repos/deployments-repo";
import { fitRepo } from "../../../server/db/repos/fit-repo";
import { gatewayRepo } from "../../../server/db/repos/gateway-repo";
import { nodesRepo } from "../../../server/db/repos/nodes-repo";
import { samplesRepo } from "../../../server/db/repos/samples-repo";
import { settingsRepo } from "../../../server/db/repos/settings-repo";
import { postgresDatabase, postgresSkipReason, useDatabases } from "../../helpers/databases";
import { ROOT, freePort, waitFor } from "../../helpers/processes";

const journalLength = (dialect: "sqlite" | "postgres") =>
  (JSON.parse(fs.readFileSync(path.join(migrationsFolder(dialect), "meta/_journal.json"), "utf8")) as { entries: unknown[] }).entries.length;

function captureLog() {
  const lines: Array<{ level: number; msg: string }> = [];
  const log = pino({ level: "info" }, { write: (s: string) => void lines.push(JSON.parse(s) as { level: number; msg: string }) });
  return { log, lines };
}

describe("the embedded database made by the release before PostgreSQL", () => {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

  it("opens with its rows and its migration bookkeeping as they were", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "switchyard-upgrade-"));
    dirs.push(dir);
    const old = new Database(path.join(dir, "switchyard.db"));
    old.exec(fs.readFileSync(path.join(ROOT, "tests/fixtures/db/sqlite-before-postgres.sql"), "utf8"));
    old.close();

    const handle = await openDatabase({ dataDir: dir });
    try {
      // No migration ran twice (that would have failed on "table already exists") and none is missing.
      const raw = new Database(path.join(dir, "switchyard.db"), { readonly: true });
      expect(raw.prepare("select count(*) as n from __drizzle_migrations").get()).toEqual({ n: journalLength("sqlite") });
      raw.close();
      expect(await settingsRepo(handle).get("admin_token_hash")).toBe("scrypt$abc");
      const [node] = await nodesRepo(handle).list();
      expect(node).toMatchObject({ name: "box1", agentVersion: "0.1.0" });
      // History was keyed by GPU UUID alone: it is now under the node that owns the GPU.
      expect((await samplesRepo(handle).gpuSeries(node!.id, ["GPU-main-0"], 1, 0)).map((r) => r.utilGpuPct)).toEqual([10, 11, 12]);
      expect((await deploymentsRepo(handle).list()).map((d) => d.name)).toEqual(["qwen"]);
      expect(await gatewayRepo(handle).keys()).toMatchObject([{ name: "alice", requests: 3, inputTokens: 30 }]);
      expect((await gatewayRepo(handle).requests({ limit: 5 }))[0]).toMatchObject({ stream: true, status: 200 });
      expect((await fitRepo(handle).list(5)).map((c) => c.measuredBytes)).toEqual([5.2e9]);
      // And it takes new writes where the old ids left off.
      await gatewayRepo(handle).insertRequests([{ ts: 1, endpoint: "/v1/models", attempts: 1, failovers: 0, status: 200, stream: false, durationMs: 1 }]);
      expect((await gatewayRepo(handle).requests({ limit: 5 })).map((r) => r.id)).toEqual([2, 1]);
    } finally {
      await handle.close();
    }
  });
});

describe.skipIf(postgresSkipReason())("opening PostgreSQL", () => {
  useDatabases("postgres"); // drops this file's database afterwards

  it("migrates once when three servers open a fresh database at the same moment", async () => {
    const { url } = await postgresDatabase();
    const handles = await Promise.all([1, 2, 3].map(() => openDatabase({ dataDir: os.tmpdir(), databaseUrl: url }, { poolSize: 2 })));
    try {
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      const { rows } = await c.query<{ n: string }>("select count(*) as n from drizzle.__drizzle_migrations");
      await c.end();
      expect(Number(rows[0]!.n)).toBe(journalLength("postgres"));
      await Promise.all(handles.map((h, i) => settingsRepo(h).set(`server-${i}`, "up")));
      expect(await settingsRepo(handles[0]!).get("server-2")).toBe("up");
    } finally {
      await Promise.all(handles.map((h) => h.close()));
    }
  });

  it("waits for a database that cannot be reached yet, saying so, and opens once it answers", async () => {
    const { url } = await postgresDatabase();
    const real = new URL(url);
    const port = await freePort();
    const { log, lines } = captureLog();
    const opening = openDatabase({ dataDir: os.tmpdir(), databaseUrl: url.replace(`:${real.port}/`, `:${port}/`) }, { log, retryDelayMs: { min: 20, max: 100 } });
    await waitFor("two warnings", () => lines.filter((l) => /PostgreSQL is unreachable \(nothing listens at switchyard@127\.0\.0\.1:\d+\/t_\w+\); retrying/.test(l.msg)).length >= 2);
    // The database "comes up": a TCP forwarder on the port it was told, to the real server.
    const forwarder = net.createServer((socket) => {
      const upstream = net.connect(Number(real.port), "127.0.0.1");
      socket.pipe(upstream).pipe(socket);
      socket.on("error", () => upstream.destroy());
      upstream.on("error", () => socket.destroy());
    });
    await new Promise<void>((resolve) => forwarder.listen(port, "127.0.0.1", resolve));
    try {
      const handle = await opening;
      expect(await settingsRepo(handle).getOrCreate("k", () => "v")).toBe("v");
      await handle.close();
      expect(lines.some((l) => l.msg === "PostgreSQL is reachable")).toBe(true);
    } finally {
      await new Promise((r) => forwarder.close(r));
    }
  });

  it("stops at once, with the reason, when the database does not exist", async () => {
    const { url } = await postgresDatabase();
    const missing = url.replace(/\/t_\w+$/, "/no_such_db");
    const err = await openDatabase({ dataDir: os.tmpdir(), databaseUrl: missing }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toMatch(/database "no_such_db" does not exist .*create it/);
  });

  it("a server started against an unreachable database says so and keeps retrying instead of exiting", async () => {
    const port = await freePort();
    // Its own folder: the server makes its data directory owner-only (never hand it /tmp).
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "switchyard-unreachable-"));
    const child = spawn(process.execPath, ["--import", "tsx", path.join(ROOT, "server/main.ts")], {
      cwd: ROOT,
      env: { ...process.env, PORT: "0", SWITCHYARD_DATA: dataDir, SWITCHYARD_LOCAL_AGENT: "0", LOG_LEVEL: "warn",
        SWITCHYARD_DATABASE_URL: `postgres://switchyard:s3cret-pw@127.0.0.1:${port}/sy` },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (b: Buffer) => (output += b.toString()));
    child.stderr.on("data", (b: Buffer) => (output += b.toString()));
    try {
      await waitFor("two retries", () => (output.match(/PostgreSQL is unreachable \(nothing listens at switchyard@127\.0\.0\.1:\d+\/sy\); retrying in \d+ s/g) ?? []).length >= 2, 20_000);
      expect(child.exitCode).toBeNull();
      expect(output).not.toContain("s3cret-pw");
    } finally {
      child.kill("SIGKILL");
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
