import { index, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

/**
 * Fit self-calibration: what a ready deployment's processes really held on its GPUs, beside the
 * (uncorrected) estimate for the same model, engine and options. Later estimates of that model on
 * that engine are corrected from these rows.
 */
export const fitCalibrations = sqliteTable(
  "fit_calibrations",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    deploymentId: text("deployment_id").notNull(),
    deployment: text("deployment").notNull(),
    node: text("node").notNull(),
    /** GPU indices (JSON array). */
    gpus: text("gpus").notNull(),
    /** modelKey(): a path as given, a repo id in lower case. */
    model: text("model").notNull(),
    engine: text("engine").notNull(),
    optionsHash: text("options_hash").notNull(),
    /** The options the estimate used (JSON). */
    options: text("options").notNull(),
    estimatedBytes: integer("estimated_bytes").notNull(),
    estimatedOverheadBytes: integer("estimated_overhead_bytes").notNull(),
    measuredBytes: integer("measured_bytes").notNull(),
    /** The deployment's readyAt: one measurement per start. */
    readyAt: integer("ready_at").notNull(),
    at: integer("at").notNull(),
  },
  (t) => [
    index("fit_calibrations_model_idx").on(t.model, t.engine, t.at),
    uniqueIndex("fit_calibrations_start_idx").on(t.deploymentId, t.readyAt),
  ],
);
