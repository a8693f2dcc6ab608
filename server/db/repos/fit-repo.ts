import { and, desc, eq } from "drizzle-orm";
import type { CalibrationView } from "../../../protocol/fit";
import { relativeError } from "../../../fit/calibration";
import { affectedRows, type DbHandle } from "../client";
import type { fitCalibrations } from "../schema";

export type NewCalibration = Omit<CalibrationView, "id" | "error"> & { deploymentId: string; readyAt: number };

export interface FitRepo {
  /** False when this deployment start was already measured. */
  insert(row: NewCalibration): Promise<boolean>;
  /** Newest first. */
  recent(model: string, engine: string, limit: number): Promise<CalibrationView[]>;
  list(limit: number): Promise<CalibrationView[]>;
}

const toView = (r: typeof fitCalibrations.$inferSelect): CalibrationView => ({
  id: r.id, deployment: r.deployment, node: r.node, gpus: JSON.parse(r.gpus) as number[], model: r.model,
  engine: r.engine as CalibrationView["engine"], optionsHash: r.optionsHash, options: JSON.parse(r.options) as Record<string, unknown>,
  estimatedBytes: r.estimatedBytes, estimatedOverheadBytes: r.estimatedOverheadBytes, measuredBytes: r.measuredBytes,
  error: relativeError(r.estimatedBytes, r.measuredBytes), at: r.at,
});

export function fitRepo({ db, schema: { fitCalibrations } }: DbHandle): FitRepo {
  return {
    async insert(row) {
      const res = await db.insert(fitCalibrations).values({
        deploymentId: row.deploymentId, deployment: row.deployment, node: row.node, gpus: JSON.stringify(row.gpus), model: row.model,
        engine: row.engine, optionsHash: row.optionsHash, options: JSON.stringify(row.options), estimatedBytes: Math.round(row.estimatedBytes),
        estimatedOverheadBytes: Math.round(row.estimatedOverheadBytes), measuredBytes: Math.round(row.measuredBytes), readyAt: row.readyAt, at: row.at,
      }).onConflictDoNothing();
      return affectedRows(res) > 0;
    },
    async recent(model, engine, limit) {
      return (await db.select().from(fitCalibrations).where(and(eq(fitCalibrations.model, model), eq(fitCalibrations.engine, engine)))
        .orderBy(desc(fitCalibrations.at), desc(fitCalibrations.id)).limit(limit)).map(toView);
    },
    async list(limit) {
      return (await db.select().from(fitCalibrations).orderBy(desc(fitCalibrations.at), desc(fitCalibrations.id)).limit(limit)).map(toView);
    },
  };
}
