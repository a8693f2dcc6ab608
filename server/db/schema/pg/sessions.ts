import { bigint, index, pgTable, text } from "drizzle-orm/pg-core";

// PostgreSQL twin of ../sessions.ts.

export const sessions = pgTable(
  "sessions",
  {
    id: text("id").primaryKey(),
    createdAt: bigint("created_at", { mode: "number" }).notNull(),
    expiresAt: bigint("expires_at", { mode: "number" }).notNull(),
  },
  (t) => [index("sessions_expires_idx").on(t.expiresAt)],
);
