import { bigint, index, pgTable, text, uniqueIndex } from "drizzle-orm/pg-core";

// PostgreSQL twin of ../fit.ts.

export const fitCalibrations = pgTable(
  "fit_calibrations",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedByDefaultAsIdentity(),
    deploymentId: text("deployment_id").notNull(),
    deployment: text("deployment").notNull(),
    node: text("node").notNull(),
    gpus: text("gpus").notNull(),
    model: text("model").notNull(),
    engine: text("engine").notNull(),
    optionsHash: text("options_hash").notNull(),
    options: text("options").notNull(),
    estimatedBytes: bigint("estimated_bytes", { mode: "number" }).notNull(),
    estimatedOverheadBytes: bigint("estimated_overhead_bytes", { mode: "number" }).notNull(),
    measuredBytes: bigint("measured_bytes", { mode: "number" }).notNull(),
    readyAt: bigint("ready_at", { mode: "number" }).notNull(),
    at: bigint("at", { mode: "number" }).notNull(),
  },
  (t) => [
    index("fit_calibrations_model_idx").on(t.model, t.engine, t.at),
    uniqueIndex("fit_calibrations_start_idx").on(t.deploymentId, t.readyAt),
  ],
);
