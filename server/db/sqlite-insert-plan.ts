/**
 * A one-row INSERT of a SQLite table, built by drizzle once, and the mapping of a row object to its
 * bound values, so that a batch can run one prepared better-sqlite3 statement per row without
 * drizzle's per-execution work (placeholder filling, entity checks, the async driver).
 *
 * The mapping is drizzle's own (sqlite-core dialect, buildInsertQuery): undefined takes the
 * column's default, its $defaultFn or $onUpdateFn, else null; null stays null; anything else goes
 * through the column's mapToDriverValue (booleans of `mode: "boolean"`, JSON of `mode: "json"`,
 * Dates of timestamp modes). tests/unit/db/repositories.test.ts compares it with drizzle's insert.
 */
import { getTableColumns, getTableName, is, Param, Placeholder, SQL, sql, type Column } from "drizzle-orm";
import type { SQLiteTable } from "drizzle-orm/sqlite-core";
import type { Db } from "./handle";

export interface InsertPlan {
  /** The statement text, with one positional `?` per value. */
  text: string;
  /** The values to bind, in the statement's order. */
  values(row: Record<string, unknown>): unknown[];
}

function unsupported(table: SQLiteTable, key: string, what: string): Error {
  return new Error(`insertMany(${getTableName(table)}): column ${key} ${what}, which only a statement built per row can carry; insert this table with db.insert()`);
}

export function insertPlan(db: Db, table: SQLiteTable): InsertPlan {
  const columns = getTableColumns(table);
  const placeholders = Object.fromEntries(Object.keys(columns).map((key) => [key, sql.placeholder(key)]));
  const query = db.insert(table).values(placeholders as never).toSQL();
  // The order of the values is read back from drizzle rather than assumed (it leaves out generated columns).
  const fields = query.params.map((p) => {
    if (!is(p, Param) || !is(p.value, Placeholder)) throw new Error(`insertMany(${getTableName(table)}): drizzle built a value that is not a placeholder`);
    const key = p.value.name;
    const column: Column = columns[key]!;
    if (is(column.default, SQL)) throw unsupported(table, key, "has an SQL default");
    return { key, column };
  });
  const driverValue = (key: string, column: Column, value: unknown) => {
    if (value === null) return null;
    const mapped = column.mapToDriverValue(value);
    if (is(mapped, SQL)) throw unsupported(table, key, "is given an SQL expression");
    return mapped;
  };
  const fallback = (key: string, column: Column) => {
    if (column.default !== null && column.default !== undefined) return column.default;
    if (column.defaultFn) return column.defaultFn();
    if (column.onUpdateFn) return column.onUpdateFn();
    return null;
  };
  return {
    text: query.sql,
    values(row) {
      const out = new Array<unknown>(fields.length);
      for (let i = 0; i < fields.length; i++) {
        const { key, column } = fields[i]!;
        const value = row[key];
        out[i] = driverValue(key, column, value === undefined ? fallback(key, column) : value);
      }
      return out;
    },
  };
}
