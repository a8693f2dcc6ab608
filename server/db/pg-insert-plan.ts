/**
 * A batch INSERT into a PostgreSQL table as one statement whose text does not depend on the row
 * count: `insert into t ("c1", "c2", …) select * from unnest($1::bigint[], $2::text[], …)`, one
 * array parameter per column. Drizzle's multi-row insert spends ~50 µs of CPU a row building its
 * statement (a param object per value, the text per batch); this spends the mapping of each value
 * (insert-values.ts) and node-postgres's array literal, and needs no split at 65,535 parameters.
 *
 * The columns are those of drizzle's own insert (pg-core dialect, buildInsertQuery), with one
 * difference it forces: a column that only the database can fill (identity, serial, an SQL
 * default) goes in only when the batch gives it a value, since drizzle writes DEFAULT for it
 * when left out and an array cannot carry DEFAULT.
 */
import { getTableName, is, sql, SQL, type Column } from "drizzle-orm";
import { PgDialect, type PgDatabase, type PgQueryResultHKT, type PgTable } from "drizzle-orm/pg-core";
import { fieldPlaceholders, insertFields, unsupportedColumn, type InsertField } from "./insert-values";

export interface PgBatchStatement {
  text: string;
  /** One array per column of the statement, in its order. */
  values: unknown[][];
}

export interface PgInsertPlan {
  /** The statement that inserts `rows` (at least one): all of them or, failing, none. */
  statement(rows: ReadonlyArray<Record<string, unknown>>): PgBatchStatement;
}

const onlyDatabaseFills = (c: Column) =>
  c.generatedIdentity !== undefined || is(c.default, SQL) || (c.hasDefault && c.default === undefined && !c.defaultFn && !c.onUpdateFn);

const SERIALS: Record<string, string> = { smallserial: "smallint", serial: "integer", bigserial: "bigint" };

/** The element type of the array a column's values travel in. */
function arrayCast(table: PgTable, { key, column }: InsertField): string {
  const type = column.getSQLType();
  // unnest() flattens arrays of arrays: an array column would arrive as one row per element.
  if (type.endsWith("]")) throw unsupportedColumn(table, key, `is an array (${type})`);
  return SERIALS[type] ?? type;
}

// Renders the statement text as the handle's drizzle does (opened without a `casing` option: columns by their own names).
const dialect = new PgDialect();

export function pgInsertPlan(db: Pick<PgDatabase<PgQueryResultHKT>, "insert">, table: PgTable): PgInsertPlan {
  const query = db.insert(table).values(fieldPlaceholders(table) as never).toSQL();
  const fields = insertFields(table, query.params);
  const databaseFilled = fields.filter((f) => onlyDatabaseFills(f.column));
  // By which of `databaseFilled` a batch gives ("1") or leaves to the database ("0").
  const shapes = new Map<string, { text: string; fields: InsertField[] }>();
  const build = (shape: string) => {
    const included = fields.filter((f) => !databaseFilled.includes(f) || shape[databaseFilled.indexOf(f)] === "1");
    if (included.length === 0) throw new Error(`insertMany(${getTableName(table)}): the rows give no column; insert this table with db.insert()`);
    const names = sql.join(included.map((f) => sql.identifier(f.column.name)), sql`, `);
    const arrays = sql.join(included.map((f, i) => sql.raw(`$${i + 1}::${arrayCast(table, f)}[]`)), sql`, `);
    const text = dialect.sqlToQuery(sql`insert into ${table} (${names}) select * from unnest(${arrays})`).sql;
    return { text, fields: included };
  };
  return {
    statement(rows) {
      let shape = "";
      for (const { key } of databaseFilled) {
        let given = 0;
        for (const row of rows) if (row[key] !== undefined) given++;
        if (given > 0 && given < rows.length) {
          throw new Error(`insertMany(${getTableName(table)}): column ${key} is given in ${given} of ${rows.length} rows and left to the database in the others; give it in every row or in none`);
        }
        shape += given > 0 ? "1" : "0";
      }
      let statement = shapes.get(shape);
      if (!statement) shapes.set(shape, (statement = build(shape)));
      const values = statement.fields.map(({ key, map }) => {
        const column = new Array<unknown>(rows.length);
        for (let i = 0; i < rows.length; i++) column[i] = map(rows[i]![key]);
        return column;
      });
      return { text: statement.text, values };
    },
  };
}
