/**
 * A one-row INSERT of a SQLite table, built by drizzle once, and the mapping of a row object to its
 * bound values (insert-values.ts), so that a batch can run one prepared better-sqlite3 statement
 * per row without drizzle's per-execution work (placeholder filling, entity checks, the async driver).
 */
import type { SQLiteTable } from "drizzle-orm/sqlite-core";
import type { Db } from "./handle";
import { fieldPlaceholders, insertFields } from "./insert-values";

export interface InsertPlan {
  /** The statement text, with one positional `?` per value. */
  text: string;
  /** The values to bind, in the statement's order. */
  values(row: Record<string, unknown>): unknown[];
}

export function insertPlan(db: Db, table: SQLiteTable): InsertPlan {
  const query = db.insert(table).values(fieldPlaceholders(table) as never).toSQL();
  const fields = insertFields(table, query.params);
  return {
    text: query.sql,
    values(row) {
      const out = new Array<unknown>(fields.length);
      for (let i = 0; i < fields.length; i++) {
        const { key, map } = fields[i]!;
        out[i] = map(row[key]);
      }
      return out;
    },
  };
}
