import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";

/**
 * Gateway API keys. Only the sha256 of a key is stored (the key is shown once, at creation); keys
 * from the config file get a row too (source "config"), so that their usage is counted the same way.
 */
export const gatewayKeys = sqliteTable("gateway_keys", {
  id: text("id").primaryKey(),
  name: text("name").notNull().unique(),
  /** sha256 hex of the key. */
  hash: text("hash").notNull().unique(),
  /** A short, safe hint to recognise the key in a list ("sk-sy-…ab12"); never enough to use it. */
  prefix: text("prefix").notNull(),
  /** "ui" (made in the dashboard) or "config" (from SWITCHYARD_CONFIG, read-only in the UI). */
  source: text("source").notNull(),
  /** JSON array of model names this key may ask for; null: every model. */
  models: text("models"),
  createdAt: integer("created_at").notNull(),
  revokedAt: integer("revoked_at"),
  lastUsedAt: integer("last_used_at"),
  requests: integer("requests").notNull().default(0),
  inputTokens: integer("input_tokens").notNull().default(0),
  outputTokens: integer("output_tokens").notNull().default(0),
});

/** Routes made in the dashboard (config-file routes live in the file and are not copied here). */
export const gatewayRoutes = sqliteTable("gateway_routes", {
  model: text("model").primaryKey(),
  /** JSON: array of tiers, each an array of "BACKEND/MODEL" targets of equal rank. */
  targets: text("targets").notNull(),
  createdAt: integer("created_at").notNull(),
  updatedAt: integer("updated_at").notNull(),
});

/** One row per client request, written in batches off the request path; pruned by age. */
export const gatewayRequests = sqliteTable(
  "gateway_requests",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    ts: integer("ts").notNull(),
    keyName: text("key_name"),
    endpoint: text("endpoint").notNull(),
    modelAsked: text("model_asked"),
    /** "BACKEND/MODEL" that answered (or the last one tried). */
    target: text("target"),
    attempts: integer("attempts").notNull(),
    failovers: integer("failovers").notNull(),
    status: integer("status").notNull(),
    stream: integer("stream", { mode: "boolean" }).notNull(),
    ttftMs: integer("ttft_ms"),
    durationMs: integer("duration_ms").notNull(),
    inputTokens: integer("input_tokens"),
    outputTokens: integer("output_tokens"),
    /** How long it waited for an on-demand deployment to load (null: it did not wait). */
    loadWaitMs: integer("load_wait_ms"),
    /** Why it failed, or the failovers on the way ("box1: connection refused; cloud: 529"). */
    error: text("error"),
    /** Only with request-body logging switched on. */
    body: text("body"),
  },
  (t) => [index("gateway_requests_ts_idx").on(t.ts)],
);
