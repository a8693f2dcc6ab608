import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";

/**
 * Several servers on one database (PostgreSQL only; the tables exist on SQLite too, empty, so that
 * both schemas stay twins). Who is alive, which server holds which node's agent socket, and the
 * bodies of bus messages too large for a NOTIFY payload (server/cluster/).
 */
export const clusterServers = sqliteTable("cluster_servers", {
  id: text("id").primaryKey(),
  /** host:port as the server sees itself (for operators reading the table). */
  label: text("label").notNull(),
  startedAt: integer("started_at").notNull(),
  /** The database's clock (ms), not the server's: expiry compares like with like. */
  heartbeatAt: integer("heartbeat_at").notNull(),
});

export const clusterPresence = sqliteTable("cluster_presence", {
  node: text("node").primaryKey(),
  serverId: text("server_id").notNull(),
  /** The agent's address as its server sees it (deployment endpoints are built from it). */
  address: text("address"),
  since: integer("since").notNull(),
});

export const clusterMessages = sqliteTable(
  "cluster_messages",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    createdAt: integer("created_at").notNull(),
    body: text("body").notNull(),
  },
  (t) => [index("cluster_messages_created_idx").on(t.createdAt)],
);
