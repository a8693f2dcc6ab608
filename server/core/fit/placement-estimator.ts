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
import { estimateFit } from "./estimate";
import type { FitService } from "./service";

export function placementEstimator(fit: Pick<FitService, "prepare">, log: Logger): FitEstimator {
  return async (q) => {
    if (q.gpus.length === 0) return null;
    try {
      const base = deploymentFitOptions({
        engine: q.engine, ctx: q.ctx ?? null, gpus: q.gpus.map((g) => g.index),
        options: { parallel: q.parallel, kvCacheDtype: q.kvDtype, util: q.util, tp: q.tp },
      });
      const p = await fit.prepare(formatModelRef(q.model), {
        ...base,
        gpuMem: q.gpus.map((g) => g.totalBytes),
        freeBytes: q.gpus.map((g) => Math.max(1, Math.min(g.freeBytes, g.totalBytes))),
        gpuIndices: q.gpus.map((g) => g.index),
      });
      const r = estimateFit(p.facts, p.options);
      return { fits: r.fits, totalBytes: r.totalBytes };
    } catch (err) {
      log.debug({ err: (err as Error).message }, "fit estimate unavailable for this deploy");
      return null;
    }
  };
}
