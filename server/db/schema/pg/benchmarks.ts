import { bigint, index, pgTable, text } from "drizzle-orm/pg-core";

// PostgreSQL twin of ../benchmarks.ts.

export const benchmarks = pgTable(
  "benchmarks",
  {
    id: text("id").primaryKey(),
    model: text("model").notNull(),
    state: text("state").notNull(),
    params: text("params").notNull(),
    context: text("context").notNull(),
    runs: text("runs").notNull(),
    error: text("error"),
    createdAt: bigint("created_at", { mode: "number" }).notNull(),
    finishedAt: bigint("finished_at", { mode: "number" }),
    serverId: text("server_id").notNull(),
  },
  (t) => [index("benchmarks_created_idx").on(t.createdAt)],
);
