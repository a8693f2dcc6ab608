/**
 * VRAM fit on the wire: what `POST /api/fit`, `POST /api/fit/matrix` and `GET /api/fit/calibrations`
 * answer, as the CLI and the dashboard read it. Types only: the server validates requests with the
 * fit core's zod schemas; the dashboard imports these (never server code).
 */
import type { Engine } from "./deployments";

export type FitKvDtype = "f32" | "f16" | "bf16" | "fp8" | "q8_0" | "q4_0";

/** The contract's fit JSON (`switchyard fit --json`) plus additive fields. */
export interface FitEstimate {
  weightsBytes: number;
  kvCacheBytes: number;
  kvCacheTokens: number;
  overheadBytes: number;
  totalBytes: number;
  fits: boolean | null;
  maxContext: number | null;
  perGpu: { index: number; totalBytes: number; capacityBytes: number }[];
  // Additive fields
  engine: Engine;
  ctx: number;
  parallel: number;
  tp: number;
  kvDtype: FitKvDtype;
  /** The weight precision the estimate assumes. */
  precision: string;
  /** Weights the engine keeps in host memory (llama.cpp's input embedding). */
  hostWeightsBytes: number;
  breakdown: Record<string, number>;
  warnings: string[];
  /** Facts the model did not give and the assumptions made instead; empty when all known. */
  uncertain: string[];
}

/** Where the facts came from, and what to know about that (e.g. "Hub unreachable: catalog facts"). */
export interface FitFactsInfo {
  id: string;
  source: "gguf" | "hf" | "catalog" | "hub";
  architecture: string | null;
  notes: string[];
}

/** The answer of `POST /api/fit`: the estimate, with where the facts came from. */
export interface FitResponse extends FitEstimate {
  facts: FitFactsInfo;
}

/**
 * fits: fits with room to spare. tight: fits, with under `tightBelow` headroom (llama.cpp: free
 * memory after it; vLLM/SGLang: KV pool beyond the context asked). no: does not fit (or the engine
 * refuses to start). offline: the node's agent is gone (the estimate is against its last free
 * memory). unsupported: the engine cannot split the model over that many GPUs. unknown: the GPU
 * reports no memory size.
 */
export type FitVerdict = "fits" | "tight" | "no" | "offline" | "unsupported" | "unknown";

export interface FitMatrixCell {
  node: string;
  online: boolean;
  /** GPU indices of the set (contiguous, 1, 2, 4, 8… of one node). */
  gpus: number[];
  gpuNames: string[];
  /** Memory of each GPU of the set, in bytes, null where nvidia-smi gave none. */
  totalBytes: (number | null)[];
  /** Measured free memory (total − what every process holds), in bytes. */
  freeBytes: (number | null)[];
  tp: number;
  verdict: FitVerdict;
  /** Largest context that fits on this set (llama.cpp: total over slots). */
  maxContext: number | null;
  /** Fraction of spare room; see FitVerdict. Null without an estimate. */
  headroom: number | null;
  /** Why it does not fit / is unsupported, in words. */
  reason: string | null;
  estimate: FitEstimate | null;
}

export interface FitMatrixView {
  model: string;
  engine: Engine;
  facts: FitFactsInfo;
  /** The first estimate's options as resolved (ctx, parallel, kvDtype, precision…), for labels. */
  ctx: number;
  parallel: number;
  kvDtype: FitKvDtype;
  precision: string;
  tightBelow: number;
  cells: FitMatrixCell[];
  /** Index into cells of the best place: fits before tight, fewest GPUs, most headroom. */
  best: number | null;
  /** Warnings about the model and options that hold for every cell. */
  warnings: string[];
  uncertain: string[];
  /** What the model needs on its own, with no GPU memory to judge it against (fits: null): shown when no GPU has reported. */
  estimate?: FitEstimate;
}

/** The options a matrix or estimate request may carry (the CLI's flags, the form's fields). */
export interface FitRequest {
  model: string;
  engine?: Engine;
  ctx?: number;
  parallel?: number;
  kvDtype?: FitKvDtype | "auto";
  quant?: string;
  util?: number;
  tp?: number;
  /** Only for POST /api/fit: memory of each GPU (e.g. "24GiB"). */
  gpuMem?: (string | number)[];
  /** Model facts a client resolved itself (a file on its own disk); the server then reads nothing. */
  facts?: unknown;
}

/** One self-calibration measurement: a ready deployment's real VRAM beside the estimate. */
export interface CalibrationView {
  id: number;
  deployment: string;
  node: string;
  gpus: number[];
  model: string;
  engine: Engine;
  optionsHash: string;
  options: Record<string, unknown>;
  estimatedBytes: number;
  estimatedOverheadBytes: number;
  measuredBytes: number;
  /** (estimated − measured) / measured. */
  error: number;
  at: number;
}
