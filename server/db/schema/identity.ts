/**
 * Agent identity, kept in the database so that every server of a control plane (several servers
 * on one database) accepts what any of them issued. Secrets are stored only as SHA-256 hashes.
 */
import { sql } from "drizzle-orm";
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

/** A node's own credential, bound to its name. Revoked ones stay, so their holder is told why. */
export const nodeCredentials = sqliteTable(
  "node_credentials",
  {
    id: text("id").primaryKey(),
    node: text("node").notNull(),
    secretHash: text("secret_hash").notNull().unique(),
    /** How it was issued: `enrollment` (token), `join` (a join token) or `server` (a local or demo agent). */
    via: text("via").notNull(),
    createdAt: integer("created_at").notNull(),
    revokedAt: integer("revoked_at"),
    /** When its agent showed it had saved it (said so, or presented it); an enrollment without it can be undone. */
    confirmedAt: integer("confirmed_at"),
  },
  // One live credential per name, enforced by the database (two servers enrolling one name at once).
  (t) => [uniqueIndex("node_credentials_active_idx").on(t.node).where(sql`revoked_at is null`)],
);

/** Single-use join tokens made by "Add a GPU box". */
export const joinTokens = sqliteTable(
  "join_tokens",
  {
    id: text("id").primaryKey(),
    tokenHash: text("token_hash").notNull().unique(),
    createdAt: integer("created_at").notNull(),
    expiresAt: integer("expires_at").notNull(),
    usedAt: integer("used_at"),
    usedBy: text("used_by"),
  },
  (t) => [index("join_tokens_expiry_idx").on(t.expiresAt)],
);

/** Refused agent connections, one row per (name, address, reason) with a count; bounded in rows. */
export const agentRefusals = sqliteTable(
  "agent_refusals",
  {
    node: text("node").notNull(),
    address: text("address").notNull(),
    code: text("code").notNull(),
    message: text("message").notNull(),
    count: integer("count").notNull(),
    firstAt: integer("first_at").notNull(),
    lastAt: integer("last_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.node, t.address, t.code] }), index("agent_refusals_last_idx").on(t.lastAt)],
);
