/**
 * What drizzle's insert binds for one column of a row, for the batch inserts that skip drizzle's
 * statement building per row (sqlite-insert-plan.ts, pg-insert-plan.ts): undefined takes the
 * column's default, its $defaultFn or $onUpdateFn, else null; null stays null; anything else goes
 * through the column's mapToDriverValue (booleans, JSON, Dates). Values drizzle would splice into
 * the statement as SQL (sql`…`, a default written as SQL) are refused: a batch binds plain values.
 * tests/unit/db/repositories.test.ts compares the result with drizzle's own insert on both dialects.
 */
import { getTableColumns, getTableName, is, Param, Placeholder, sql, SQL, type Column, type Table } from "drizzle-orm";

export type ToDriverValue = (value: unknown) => unknown;

export function unsupportedColumn(table: Table, key: string, what: string): Error {
  return new Error(`insertMany(${getTableName(table)}): column ${key} ${what}, which only a statement built per row can carry; insert this table with db.insert()`);
}

const isSqlLike = (value: unknown) => is(value, SQL) || is(value, Param) || is(value, Placeholder);

/** The bound value of `column` (field `key` of `table`) for a row's value. */
export function toDriverValue(table: Table, key: string, column: Column): ToDriverValue {
  const fallback = () => {
    if (column.default !== null && column.default !== undefined) {
      if (is(column.default, SQL)) throw unsupportedColumn(table, key, "is left out and has an SQL default");
      return column.default;
    }
    if (column.defaultFn) return column.defaultFn();
    if (column.onUpdateFn) return column.onUpdateFn();
    return null;
  };
  return (given) => {
    const value = given === undefined ? fallback() : given;
    if (value === null) return null;
    if (typeof value === "object" && isSqlLike(value)) throw unsupportedColumn(table, key, "is given an SQL expression");
    const mapped = column.mapToDriverValue(value);
    if (typeof mapped === "object" && mapped !== null && isSqlLike(mapped)) throw unsupportedColumn(table, key, "is given an SQL expression");
    return mapped;
  };
}

export interface InsertField {
  key: string;
  column: Column;
  map: ToDriverValue;
}

/** A placeholder per field of `table`: for drizzle to build the one-row insert that `insertFields` reads. */
export const fieldPlaceholders = (table: Table) =>
  Object.fromEntries(Object.keys(getTableColumns(table)).map((key) => [key, sql.placeholder(key)]));

/**
 * The fields of the one-row insert that drizzle built of `fieldPlaceholders(table)`, in its order:
 * read back from drizzle rather than assumed (it leaves out generated columns).
 */
export function insertFields(table: Table, params: unknown[]): InsertField[] {
  const columns = getTableColumns(table);
  return params.map((p) => {
    if (!is(p, Param) || !is(p.value, Placeholder)) throw new Error(`insertMany(${getTableName(table)}): drizzle built a value that is not a placeholder`);
    const key = p.value.name;
    const column: Column = columns[key]!;
    return { key, column, map: toDriverValue(table, key, column) };
  });
}
