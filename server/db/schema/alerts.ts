import { index, integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";

/** Rules made in the dashboard (config-file rules live in the file). `spec`: JSON, the rule's config shape. */
export const alertRules = sqliteTable("alert_rules", {
  name: text("name").primaryKey(),
  spec: text("spec").notNull(),
  createdAt: integer("created_at").notNull(),
  updatedAt: integer("updated_at").notNull(),
});

/** Channels made in the dashboard. The URL holds secrets: stored sealed (SecretBox), never in plain text. */
export const alertChannels = sqliteTable("alert_channels", {
  name: text("name").primaryKey(),
  kind: text("kind").notNull(),
  urlSealed: text("url_sealed").notNull(),
  /** The URL as the dashboard may show it (secrets cut). */
  urlMasked: text("url_masked").notNull(),
  createdAt: integer("created_at").notNull(),
  updatedAt: integer("updated_at").notNull(),
});

/**
 * What fires now (one row per rule and subject), shared by every server on the database: a new
 * leader continues from here without notifying again. Rows are claimed with conditional writes,
 * so one notice is sent once even when two servers briefly both think they lead.
 */
export const alertState = sqliteTable(
  "alert_state",
  {
    rule: text("rule").notNull(),
    key: text("key").notNull(),
    occurrenceId: integer("occurrence_id").notNull(),
    firingSince: integer("firing_since").notNull(),
    notifiedAt: integer("notified_at"),
  },
  (t) => [primaryKey({ columns: [t.rule, t.key] })],
);

/** History: one row per time an alert fired, resolved when it cleared. */
export const alertOccurrences = sqliteTable(
  "alert_occurrences",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    rule: text("rule").notNull(),
    kind: text("kind").notNull(),
    key: text("key").notNull(),
    /** JSON: node, gpu, route, backend, deployment (those that apply). */
    subject: text("subject").notNull(),
    message: text("message").notNull(),
    firedAt: integer("fired_at").notNull(),
    resolvedAt: integer("resolved_at"),
  },
  (t) => [index("alert_occurrences_fired_idx").on(t.firedAt)],
);

/** Each notice to each channel: pending while it is retried, then sent or failed (with the last error). */
export const alertDeliveries = sqliteTable(
  "alert_deliveries",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    /** Null for a channel test. */
    occurrenceId: integer("occurrence_id"),
    channel: text("channel").notNull(),
    /** firing | repeat | resolved | test */
    notice: text("notice").notNull(),
    status: text("status").notNull(),
    attempts: integer("attempts").notNull().default(0),
    error: text("error"),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [index("alert_deliveries_occurrence_idx").on(t.occurrenceId), index("alert_deliveries_created_idx").on(t.createdAt)],
);
