import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";

/**
 * Deployments: what was asked (the public spec, never secrets) and the last state the node
 * reported, so a restarted server shows them as they were until the agents announce again.
 */
export const deployments = sqliteTable(
  "deployments",
  {
    id: text("id").primaryKey(),
    name: text("name").notNull().unique(),
    node: text("node").notNull(),
    /** PublicSpec as JSON: engine, model, image, GPUs, port, args, options without secrets. */
    spec: text("spec").notNull(),
    /** `running` until a stop; a stop asked while the node is offline waits here. */
    desired: text("desired").notNull().default("running"),
    state: text("state").notNull(),
    reason: text("reason"),
    /** Last log lines (JSON array) when it failed. */
    logs: text("logs"),
    containerId: text("container_id"),
    port: integer("port"),
    restarts: integer("restarts").notNull().default(0),
    /** Fit estimate warnings at deploy time (JSON array). */
    warnings: text("warnings"),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
    startedAt: integer("started_at"),
    readyAt: integer("ready_at"),
    /** On-demand policy (JSON: protocol/ondemand.ts); null for a deployment that always runs. */
    onDemand: text("on_demand"),
    /** Newest gateway request for it (written every few seconds, not per request): idle timers resume from it. */
    lastRequestAt: integer("last_request_at"),
  },
  (t) => [index("deployments_node_idx").on(t.node)],
);
