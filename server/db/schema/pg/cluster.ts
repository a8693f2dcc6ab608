import { bigint, index, pgTable, text } from "drizzle-orm/pg-core";

// PostgreSQL twin of ../cluster.ts (where these tables are used).

export const clusterServers = pgTable("cluster_servers", {
  id: text("id").primaryKey(),
  label: text("label").notNull(),
  startedAt: bigint("started_at", { mode: "number" }).notNull(),
  heartbeatAt: bigint("heartbeat_at", { mode: "number" }).notNull(),
});

export const clusterPresence = pgTable("cluster_presence", {
  node: text("node").primaryKey(),
  serverId: text("server_id").notNull(),
  address: text("address"),
  since: bigint("since", { mode: "number" }).notNull(),
});

export const clusterMessages = pgTable(
  "cluster_messages",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedByDefaultAsIdentity(),
    createdAt: bigint("created_at", { mode: "number" }).notNull(),
    body: text("body").notNull(),
  },
  (t) => [index("cluster_messages_created_idx").on(t.createdAt)],
);
