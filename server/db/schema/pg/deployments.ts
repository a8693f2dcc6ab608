import { bigint, index, integer, pgTable, text } from "drizzle-orm/pg-core";

// PostgreSQL twin of ../deployments.ts.

export const deployments = pgTable(
  "deployments",
  {
    id: text("id").primaryKey(),
    name: text("name").notNull().unique(),
    node: text("node").notNull(),
    spec: text("spec").notNull(),
    desired: text("desired").notNull().default("running"),
    state: text("state").notNull(),
    reason: text("reason"),
    logs: text("logs"),
    containerId: text("container_id"),
    port: integer("port"),
    restarts: integer("restarts").notNull().default(0),
    warnings: text("warnings"),
    createdAt: bigint("created_at", { mode: "number" }).notNull(),
    updatedAt: bigint("updated_at", { mode: "number" }).notNull(),
    startedAt: bigint("started_at", { mode: "number" }),
    readyAt: bigint("ready_at", { mode: "number" }),
    onDemand: text("on_demand"),
    lastRequestAt: bigint("last_request_at", { mode: "number" }),
  },
  (t) => [index("deployments_node_idx").on(t.node)],
);
