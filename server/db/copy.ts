/**
 * Moving over: copies every table of an embedded (SQLite) database into an empty PostgreSQL one,
 * table by table in batches, inside one PostgreSQL transaction (a failure leaves the target as
 * empty as it was), then checks the row counts and moves the identity sequences past the copied ids.
 */
import { getTableColumns, getTableName, is, sql, type SQL } from "drizzle-orm";
import { SQLiteTable, getTableConfig } from "drizzle-orm/sqlite-core";
import type { Db, DbHandle } from "./handle";

export class CopyError extends Error {}

export interface CopyProgress {
  table: string;
  rows: number;
}

export interface CopyReport {
  tables: CopyProgress[];
  /** Text values holding NUL characters, which PostgreSQL cannot store: copied with U+FFFD instead. */
  nulReplaced: number;
}

type AnyTable = SQLiteTable;

/** The schema's tables, each after the tables its foreign keys point to. */
export function tablesInCopyOrder(schema: Record<string, unknown>): Array<[string, AnyTable]> {
  const tables = Object.entries(schema).filter((e): e is [string, AnyTable] => is(e[1], SQLiteTable));
  const done = new Set<AnyTable>();
  const out: Array<[string, AnyTable]> = [];
  const visit = (entry: [string, AnyTable], path: Set<AnyTable>) => {
    const [, table] = entry;
    if (done.has(table) || path.has(table)) return;
    path.add(table);
    for (const fk of getTableConfig(table).foreignKeys) {
      const parent = tables.find(([, t]) => t === fk.reference().foreignTable);
      if (parent) visit(parent, path);
    }
    done.add(table);
    out.push(entry);
  };
  for (const entry of tables) visit(entry, new Set());
  return out;
}

/** PostgreSQL-only SQL on a handle typed as the SQLite one (see handle.ts): node-postgres' execute. */
async function pgRows<T>(db: Db, query: SQL): Promise<T[]> {
  return ((await (db as unknown as { execute(q: SQL): Promise<{ rows: T[] }> }).execute(query)).rows);
}

const countOf = async (db: Db, table: AnyTable) => (await db.select({ n: sql<number>`count(*)`.mapWith(Number) }).from(table))[0]!.n;

export async function copyDatabase(source: DbHandle, target: DbHandle, onTable: (p: CopyProgress) => void = () => {}): Promise<CopyReport> {
  if (source.dialect !== "sqlite" || target.dialect !== "postgres") throw new CopyError("copies an embedded (SQLite) database into PostgreSQL only");
  const order = tablesInCopyOrder(source.schema);

  const nonEmpty: string[] = [];
  for (const [key] of order) {
    const n = await countOf(target.db, target.schema[key as keyof typeof target.schema] as AnyTable);
    if (n > 0) nonEmpty.push(`${getTableName(source.schema[key as keyof typeof source.schema] as AnyTable)} (${n} rows)`);
  }
  if (nonEmpty.length > 0) {
    throw new CopyError(`the target database is not empty: ${nonEmpty.join(", ")}. Copy into a new, empty database (createdb), so that nothing there is mixed with or overwritten by the copy.`);
  }

  let nulReplaced = 0;
  const clean = (row: Record<string, unknown>) => {
    for (const [k, v] of Object.entries(row)) {
      if (typeof v === "string" && v.includes("\0")) {
        row[k] = v.replaceAll("\0", "\uFFFD");
        nulReplaced++;
      }
    }
    return row;
  };

  // The source under its write lock for the whole copy: a consistent picture even if a server
  // (which should be stopped) still ran.
  const tables = await source.transaction((from) => target.transaction(async (to) => {
    const done: CopyProgress[] = [];
    for (const [key, table] of order) {
      const targetTable = target.schema[key as keyof typeof target.schema] as AnyTable;
      const columns = getTableColumns(table);
      // Under both dialects' bound-parameter limits, and a few MB a batch at most.
      const batch = Math.max(1, Math.min(500, Math.floor(30_000 / Object.keys(columns).length)));
      let lastRowid = Number.MIN_SAFE_INTEGER;
      let rows = 0;
      for (;;) {
        // Keyset pagination on SQLite's rowid: every table here has one, and OFFSET would rescan.
        const page = await from.select({ ...columns, rowid__: sql<number>`rowid` }).from(table)
          .where(sql`rowid > ${lastRowid}`).orderBy(sql`rowid`).limit(batch);
        if (page.length === 0) break;
        lastRowid = page[page.length - 1]!.rowid__;
        const values = page.map(({ rowid__: _, ...row }) => clean(row));
        await to.insert(targetTable).values(values as never);
        rows += page.length;
      }
      const expected = await countOf(from, table);
      const copied = await countOf(to, targetTable);
      if (copied !== expected || rows !== expected) {
        throw new CopyError(`${getTableName(table)}: ${expected} rows in the source, ${copied} arrived: nothing was copied (the target is unchanged)`);
      }
      done.push({ table: getTableName(table), rows: copied });
      onTable({ table: getTableName(table), rows: copied });
    }
    // Ids were copied as they were: new rows must continue after them.
    const identities = await pgRows<{ table_name: string; column_name: string }>(to,
      sql`select table_name, column_name from information_schema.columns where table_schema = current_schema() and is_identity = 'YES'`);
    for (const { table_name: t, column_name: c } of identities) {
      await pgRows(to, sql`select setval(pg_get_serial_sequence(${`"${t}"`}, ${c}), max(${sql.identifier(c)})) from ${sql.identifier(t)} having count(*) > 0`);
    }
    return done;
  }));
  return { tables, nulReplaced };
}
