/**
 * The fit service as the deployments' placement hook (server/core/deployments/fit-hook.ts's
 * FitEstimator): the same facts the fit page uses (server disk, Hub, catalog) and the same
 * self-calibration correction. Null when the model cannot be judged: placement then goes by free
 * VRAM alone, as without an estimator.
 */
import type { Logger } from "../../../lib/logger";
import { formatModelRef } from "../../../protocol/model-ref";
import type { FitEstimator } from "../deployments/fit-hook";
import { deploymentFitOptions } from "./calibration-recorder";
import { estimateFit } from "../../../fit/estimate";
import type { FitService } from "./service";

export function placementEstimator(fit: Pick<FitService, "prepare">, log: Logger): FitEstimator {
  return async (q) => {
    try {
      const base = deploymentFitOptions({
        engine: q.engine, ctx: q.ctx ?? null, gpus: q.gpus.map((g) => g.index),
        options: { parallel: q.parallel, kvCacheDtype: q.kvDtype, util: q.util, tp: q.tp },
      });
      // A CPU deploy has no GPU memory to judge, but its context can still be wrong for the model.
      const memory = q.gpus.length === 0
        ? { backend: "cpu" as const }
        : {
            gpuMem: q.gpus.map((g) => g.totalBytes),
            freeBytes: q.gpus.map((g) => Math.max(1, Math.min(g.freeBytes, g.totalBytes))),
            gpuIndices: q.gpus.map((g) => g.index),
          };
      const p = await fit.prepare(formatModelRef(q.model), { ...base, ...memory });
      const r = estimateFit(p.facts, p.options);
      return {
        fits: q.gpus.length === 0 ? null : r.fits, totalBytes: r.totalBytes, warnings: r.warnings,
        perGpuBytes: q.gpus.length === 0 ? [] : r.perGpu.map((g) => g.totalBytes), weightsBytes: r.weightsBytes,
      };
    } catch (err) {
      log.debug({ err: (err as Error).message }, "fit estimate unavailable for this deploy");
      return null;
    }
  };
}
