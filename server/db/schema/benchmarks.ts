import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";

/**
 * Benchmark results: what was asked, the deployment behind the route at the time (context), and
 * one entry per concurrency level (runs), all JSON in text columns.
 */
export const benchmarks = sqliteTable(
  "benchmarks",
  {
    id: text("id").primaryKey(),
    model: text("model").notNull(),
    /** running | done | failed | cancelled */
    state: text("state").notNull(),
    params: text("params").notNull(),
    context: text("context").notNull(),
    runs: text("runs").notNull(),
    error: text("error"),
    createdAt: integer("created_at").notNull(),
    finishedAt: integer("finished_at"),
    /** The server running it (cluster server id): with several servers, only it holds the live state. */
    serverId: text("server_id").notNull(),
  },
  (t) => [index("benchmarks_created_idx").on(t.createdAt)],
);
