import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";

/**
 * Dashboard sign-ins. The cookie carries a random token; only its SHA-256 is stored, so a copy of
 * the database cannot be turned into a session. Sign-out deletes the row, "sign out everywhere"
 * deletes them all.
 */
export const sessions = sqliteTable(
  "sessions",
  {
    /** SHA-256 (hex) of the cookie's token. */
    id: text("id").primaryKey(),
    createdAt: integer("created_at").notNull(),
    expiresAt: integer("expires_at").notNull(),
  },
  (t) => [index("sessions_expires_idx").on(t.expiresAt)],
);
