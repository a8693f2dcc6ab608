import { bigint, boolean, index, integer, pgTable, text } from "drizzle-orm/pg-core";

// PostgreSQL twin of ../gateway.ts. Token counters are bigint: a busy key passes 2^31 in months.

export const gatewayKeys = pgTable("gateway_keys", {
  id: text("id").primaryKey(),
  name: text("name").notNull().unique(),
  hash: text("hash").notNull().unique(),
  prefix: text("prefix").notNull(),
  source: text("source").notNull(),
  models: text("models"),
  createdAt: bigint("created_at", { mode: "number" }).notNull(),
  revokedAt: bigint("revoked_at", { mode: "number" }),
  lastUsedAt: bigint("last_used_at", { mode: "number" }),
  requests: bigint("requests", { mode: "number" }).notNull().default(0),
  inputTokens: bigint("input_tokens", { mode: "number" }).notNull().default(0),
  outputTokens: bigint("output_tokens", { mode: "number" }).notNull().default(0),
});

export const gatewayRoutes = pgTable("gateway_routes", {
  model: text("model").primaryKey(),
  targets: text("targets").notNull(),
  createdAt: bigint("created_at", { mode: "number" }).notNull(),
  updatedAt: bigint("updated_at", { mode: "number" }).notNull(),
});

export const gatewayRequests = pgTable(
  "gateway_requests",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedByDefaultAsIdentity(),
    ts: bigint("ts", { mode: "number" }).notNull(),
    keyName: text("key_name"),
    endpoint: text("endpoint").notNull(),
    modelAsked: text("model_asked"),
    target: text("target"),
    attempts: integer("attempts").notNull(),
    failovers: integer("failovers").notNull(),
    status: integer("status").notNull(),
    stream: boolean("stream").notNull(),
    ttftMs: integer("ttft_ms"),
    durationMs: integer("duration_ms").notNull(),
    inputTokens: integer("input_tokens"),
    outputTokens: integer("output_tokens"),
    loadWaitMs: integer("load_wait_ms"),
    error: text("error"),
    body: text("body"),
  },
  (t) => [index("gateway_requests_ts_idx").on(t.ts)],
);
