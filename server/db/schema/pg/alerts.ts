import { bigint, index, integer, pgTable, primaryKey, text } from "drizzle-orm/pg-core";

// PostgreSQL twin of ../alerts.ts.

export const alertRules = pgTable("alert_rules", {
  name: text("name").primaryKey(),
  spec: text("spec").notNull(),
  createdAt: bigint("created_at", { mode: "number" }).notNull(),
  updatedAt: bigint("updated_at", { mode: "number" }).notNull(),
});

export const alertChannels = pgTable("alert_channels", {
  name: text("name").primaryKey(),
  kind: text("kind").notNull(),
  urlSealed: text("url_sealed").notNull(),
  urlMasked: text("url_masked").notNull(),
  createdAt: bigint("created_at", { mode: "number" }).notNull(),
  updatedAt: bigint("updated_at", { mode: "number" }).notNull(),
});

export const alertState = pgTable(
  "alert_state",
  {
    rule: text("rule").notNull(),
    key: text("key").notNull(),
    occurrenceId: bigint("occurrence_id", { mode: "number" }).notNull(),
    firingSince: bigint("firing_since", { mode: "number" }).notNull(),
    notifiedAt: bigint("notified_at", { mode: "number" }),
  },
  (t) => [primaryKey({ columns: [t.rule, t.key] })],
);

export const alertOccurrences = pgTable(
  "alert_occurrences",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedByDefaultAsIdentity(),
    rule: text("rule").notNull(),
    kind: text("kind").notNull(),
    key: text("key").notNull(),
    subject: text("subject").notNull(),
    message: text("message").notNull(),
    firedAt: bigint("fired_at", { mode: "number" }).notNull(),
    resolvedAt: bigint("resolved_at", { mode: "number" }),
  },
  (t) => [index("alert_occurrences_fired_idx").on(t.firedAt)],
);

export const alertDeliveries = pgTable(
  "alert_deliveries",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedByDefaultAsIdentity(),
    occurrenceId: bigint("occurrence_id", { mode: "number" }),
    channel: text("channel").notNull(),
    notice: text("notice").notNull(),
    status: text("status").notNull(),
    attempts: integer("attempts").notNull().default(0),
    error: text("error"),
    createdAt: bigint("created_at", { mode: "number" }).notNull(),
    updatedAt: bigint("updated_at", { mode: "number" }).notNull(),
  },
  (t) => [index("alert_deliveries_occurrence_idx").on(t.occurrenceId), index("alert_deliveries_created_idx").on(t.createdAt)],
);
