/**
 * The two schemas must stay twins: the repositories use either one through DbHandle.schema, typed
 * as the SQLite one (docs/adr/0001-two-dialects.md). A table, column, key or index added to one
 * dialect only, or a type that maps to a different JavaScript value, fails here; so does a schema
 * edited without its generated migration.
 */
import { execFile } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { getTableColumns, is, type Column } from "drizzle-orm";
import { PgTable, getTableConfig as pgConfig } from "drizzle-orm/pg-core";
import { SQLiteTable, getTableConfig as sqliteConfig } from "drizzle-orm/sqlite-core";
import { describe, expect, it } from "vitest";
import * as pgSchema from "../../../server/db/schema/pg";
import * as sqliteSchema from "../../../server/db/schema";
import { ROOT } from "../../helpers/processes";

/** SQLite column type → the PostgreSQL types that read back as the same JavaScript value. */
const COMPATIBLE: Record<string, string[]> = {
  SQLiteText: ["PgText"],
  // bigint in "number" mode (PgBigInt53); "bigint" mode would hand repositories a BigInt.
  SQLiteInteger: ["PgInteger", "PgBigInt53"],
  SQLiteReal: ["PgDoublePrecision"],
  SQLiteBoolean: ["PgBoolean"],
};

const tablesOf = <T>(mod: Record<string, unknown>, kind: abstract new (...a: never[]) => T) =>
  Object.fromEntries(Object.entries(mod).filter(([, v]) => is(v, kind as never))) as Record<string, T>;

const sqliteTables = tablesOf(sqliteSchema, SQLiteTable);
const pgTables = tablesOf(pgSchema, PgTable);

function columnFacts(key: string, c: Column) {
  const identity = (c as unknown as { generatedIdentity?: unknown }).generatedIdentity !== undefined;
  const autoIncrement = (c as unknown as { autoIncrement?: boolean }).autoIncrement === true;
  return { key, name: c.name, notNull: c.notNull, primary: c.primary, unique: c.isUnique, default: c.default ?? null, generatedId: identity || autoIncrement };
}

describe("the SQLite and PostgreSQL schemas", () => {
  it("export the same tables under the same names", () => {
    expect(Object.keys(pgTables).sort()).toEqual(Object.keys(sqliteTables).sort());
    expect(Object.keys(pgSchema).sort()).toEqual(Object.keys(sqliteSchema).sort());
    for (const [key, t] of Object.entries(sqliteTables)) expect(pgConfig(pgTables[key]!).name, key).toBe(sqliteConfig(t).name);
  });

  for (const [key, table] of Object.entries(sqliteTables)) {
    it(`agree on ${sqliteConfig(table).name}: columns, types, keys, indexes`, () => {
      const s = sqliteConfig(table);
      const p = pgConfig(pgTables[key]!);
      const sCols = getTableColumns(table);
      const pCols = getTableColumns(pgTables[key]!);
      expect(Object.keys(pCols)).toEqual(Object.keys(sCols));
      for (const [col, sc] of Object.entries(sCols)) {
        const pc = pCols[col]!;
        expect(columnFacts(col, pc)).toEqual(columnFacts(col, sc));
        expect(COMPATIBLE[sc.columnType], `${s.name}.${sc.name}: ${sc.columnType} has no PostgreSQL twin listed`).toBeDefined();
        expect(COMPATIBLE[sc.columnType], `${s.name}.${sc.name}: ${pc.columnType} does not read back like ${sc.columnType}`).toContain(pc.columnType);
      }
      const keys = (cols: Column[]) => cols.map((c) => c.name);
      expect(p.primaryKeys.map((k) => keys(k.columns))).toEqual(s.primaryKeys.map((k) => keys(k.columns)));
      const indexes = (list: typeof s.indexes | typeof p.indexes) =>
        list.map((i) => ({ name: i.config.name, unique: i.config.unique, columns: (i.config.columns as Column[]).map((c) => c.name) })).sort((a, b) => String(a.name).localeCompare(String(b.name)));
      expect(indexes(p.indexes)).toEqual(indexes(s.indexes));
      const fks = (list: typeof s.foreignKeys | typeof p.foreignKeys) => list.map((f) => {
        const ref = f.reference();
        return { columns: keys(ref.columns), to: keys(ref.foreignColumns), onDelete: f.onDelete ?? "no action" };
      });
      expect(fks(p.foreignKeys)).toEqual(fks(s.foreignKeys));
      expect(p.uniqueConstraints.length + s.uniqueConstraints.length).toBe(0); // column-level .unique() only, compared above
    });
  }

  it("repositories take their tables from the handle and await portable queries", () => {
    const dir = path.join(ROOT, "server/db/repos");
    for (const file of fs.readdirSync(dir).filter((f) => f.endsWith(".ts"))) {
      const text = fs.readFileSync(path.join(dir, file), "utf8");
      expect(text, `${file} imports tables from ../schema at run time: take them from handle.schema`).not.toMatch(/^import\s+(?!type\b)[^;]*from\s+"\.\.\/schema(\/[^"]*)?";/m);
      // better-sqlite3's synchronous finishers: node-postgres' builders have none of them.
      expect(text, `${file} calls .get()/.all()/.run(): await the query instead`).not.toMatch(/\)\s*\.(get|all|run)\(\)/);
    }
  });

  it("have their migrations generated and committed (drizzle-kit finds nothing new)", async () => {
    const run = promisify(execFile);
    for (const [dialect, schema, folder] of [["sqlite", "server/db/schema/index.ts", "sqlite"], ["postgresql", "server/db/schema/pg/index.ts", "pg"]] as const) {
      const out = fs.mkdtempSync(path.join(os.tmpdir(), "switchyard-migrations-"));
      try {
        fs.cpSync(path.join(ROOT, "drizzle", folder), out, { recursive: true });
        const { stdout, stderr } = await run(path.join(ROOT, "node_modules/.bin/drizzle-kit"), ["generate", "--dialect", dialect, "--schema", schema, "--out", path.relative(ROOT, out)], { cwd: ROOT });
        expect(stdout + stderr, `${schema} differs from drizzle/${folder}: run npm run db:generate`).toMatch(/No schema changes/);
      } finally {
        fs.rmSync(out, { recursive: true, force: true });
      }
    }
  }, 60_000);
});
