/**
 * The hook to the VRAM fit estimator: placement asks it whether a model fits a candidate GPU set.
 * The server wires in the fit service's (server/core/fit/placement-estimator.ts); it is optional
 * everywhere: without it, or when it cannot judge a model (facts unknown), placement goes by free
 * VRAM alone.
 */
import type { Engine, ModelRef } from "../../../protocol/deployments";

export interface FitQuery {
  engine: Engine;
  model: ModelRef;
  ctx?: number;
  parallel?: number;
  kvDtype?: string;
  util?: number;
  tp: number;
  gpus: Array<{ index: number; totalBytes: number; freeBytes: number }>;
}

export interface FitAnswer {
  fits: boolean | null;
  totalBytes: number;
  /** What it takes on each GPU, in the query's GPU order (empty for a CPU deploy). */
  perGpuBytes?: number[];
  /** The weights alone (what a sleeping vLLM keeps in CPU memory). */
  weightsBytes?: number;
  /** What the estimate noticed that the user should hear before the engine fails (context too long …). */
  warnings?: string[];
}

export type FitEstimator = (q: FitQuery) => Promise<FitAnswer | null>;
