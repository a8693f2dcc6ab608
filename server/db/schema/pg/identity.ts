import { sql } from "drizzle-orm";
import { bigint, index, pgTable, primaryKey, text, uniqueIndex } from "drizzle-orm/pg-core";

// PostgreSQL twin of ../identity.ts: same tables and columns (tests/unit/db/schema-parity.test.ts).

export const nodeCredentials = pgTable(
  "node_credentials",
  {
    id: text("id").primaryKey(),
    node: text("node").notNull(),
    secretHash: text("secret_hash").notNull().unique(),
    via: text("via").notNull(),
    createdAt: bigint("created_at", { mode: "number" }).notNull(),
    revokedAt: bigint("revoked_at", { mode: "number" }),
    confirmedAt: bigint("confirmed_at", { mode: "number" }),
  },
  (t) => [uniqueIndex("node_credentials_active_idx").on(t.node).where(sql`revoked_at is null`)],
);

export const joinTokens = pgTable(
  "join_tokens",
  {
    id: text("id").primaryKey(),
    tokenHash: text("token_hash").notNull().unique(),
    createdAt: bigint("created_at", { mode: "number" }).notNull(),
    expiresAt: bigint("expires_at", { mode: "number" }).notNull(),
    usedAt: bigint("used_at", { mode: "number" }),
    usedBy: text("used_by"),
  },
  (t) => [index("join_tokens_expiry_idx").on(t.expiresAt)],
);

export const agentRefusals = pgTable(
  "agent_refusals",
  {
    node: text("node").notNull(),
    address: text("address").notNull(),
    code: text("code").notNull(),
    message: text("message").notNull(),
    count: bigint("count", { mode: "number" }).notNull(),
    firstAt: bigint("first_at", { mode: "number" }).notNull(),
    lastAt: bigint("last_at", { mode: "number" }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.node, t.address, t.code] }), index("agent_refusals_last_idx").on(t.lastAt)],
);
