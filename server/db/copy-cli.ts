/**
 * `npm run db:copy -- --to postgres://USER:PASSWORD@HOST:PORT/DB`: copies the embedded database of
 * SWITCHYARD_DATA into an empty PostgreSQL database (migrated first). Stop the server first.
 * Exit codes: 0 copied, 1 the copy failed (the target is left empty), 2 bad usage.
 */
import fs from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { ConfigError, databaseUrlSchema } from "../config/env";
import { flushLogs } from "../../lib/logger";
import { CopyError, copyDatabase } from "./copy";
import { describeDatabaseUrl, openPostgres } from "./pg-client";
import { openSqlite } from "./sqlite-client";

const USAGE = `Usage: npm run db:copy -- --to postgres://USER:PASSWORD@HOST:PORT/DB

Copies the embedded database of SWITCHYARD_DATA (default ./data) into an empty PostgreSQL
database, then checks that every table arrived whole. Stop the server first. Afterwards start the
servers with SWITCHYARD_DATABASE_URL set to the same URL.`;

class UsageError extends Error {}

async function main(argv: string[]): Promise<void> {
  let values: { to?: string; help?: boolean };
  try {
    ({ values } = parseArgs({ args: argv, options: { to: { type: "string" }, help: { type: "boolean", short: "h" } } }));
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  if (!values.to) throw new UsageError("--to is missing: the PostgreSQL database to copy into");
  const url = databaseUrlSchema.safeParse(values.to);
  if (!url.success) throw new UsageError(`--to ${url.error.issues[0]?.message ?? "is not valid"}`);
  const dataDir = path.resolve(process.env.SWITCHYARD_DATA || "./data");
  if (!fs.existsSync(path.join(dataDir, "switchyard.db"))) {
    throw new UsageError(`there is no embedded database at ${path.join(dataDir, "switchyard.db")}: set SWITCHYARD_DATA to the server's data folder`);
  }

  const where = describeDatabaseUrl(url.data);
  const source = openSqlite(dataDir);
  try {
    const target = await openPostgres(url.data, { maxAttempts: 1 });
    try {
      process.stdout.write(`Copying ${path.join(dataDir, "switchyard.db")} into ${where}\n`);
      const started = Date.now();
      const report = await copyDatabase(source, target, ({ table, rows }) => process.stdout.write(`  ${table}: ${rows} rows\n`));
      const total = report.tables.reduce((n, t) => n + t.rows, 0);
      if (report.nulReplaced > 0) process.stdout.write(`  ${report.nulReplaced} text values held NUL characters (PostgreSQL cannot store them): copied with U+FFFD instead\n`);
      process.stdout.write(`Copied ${total} rows in ${((Date.now() - started) / 1000).toFixed(1)} s; every table's row count matches.\n`);
      process.stdout.write(`Start the servers with SWITCHYARD_DATABASE_URL set to this database (${where}).\n`);
    } finally {
      await target.close();
    }
  } finally {
    await source.close();
  }
}

main(process.argv.slice(2)).then(
  () => flushLogs(),
  async (err: unknown) => {
    if (err instanceof UsageError) {
      process.stderr.write(`db:copy: ${err.message}\n\n${USAGE}\n`);
      process.exitCode = 2;
    } else if (err instanceof CopyError || err instanceof ConfigError) {
      process.stderr.write(`db:copy: ${err.message}\n`);
      process.exitCode = 1;
    } else {
      process.stderr.write(`db:copy failed: ${(err as Error).message ?? String(err)}\n`);
      process.exitCode = 1;
    }
    await flushLogs();
  },
);
