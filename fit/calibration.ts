/**
 * Self-calibration, the pure part: measurements of ready deployments (their processes' real VRAM
 * beside the estimate made for them) → a correction for later estimates of the same model and
 * engine. The error is put on the overhead term (compute buffers, activations, CUDA context and
 * graphs): weights and KV cache follow from the model's shapes and are exact where checked
 * (tests/integration/fit-accuracy.test.ts), the overhead is what varies with builds and drivers.
 */
import { createHash } from "node:crypto";

export const CALIBRATION = {
  /** The correction never scales the overhead beyond these bounds, whatever was measured. */
  minScale: 0.5,
  maxScale: 2,
  /** The newest measurements used per model and engine. */
  maxSamples: 10,
} as const;

export interface CalibrationSample {
  estimatedBytes: number;
  estimatedOverheadBytes: number;
  measuredBytes: number;
}

export interface Correction {
  /** Multiplier for the overhead term (FitOptions.overheadScale). */
  scale: number;
  samples: number;
  /** True when the bounds cut the measured ratio. */
  clamped: boolean;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};

/**
 * The overhead scale that would have made each estimate equal its measurement, their median
 * (one odd deployment does not swing it), bounded. Null without usable samples.
 */
export function overheadCorrection(samples: readonly CalibrationSample[]): Correction | null {
  const ratios = samples
    .slice(0, CALIBRATION.maxSamples)
    .filter((s) => s.estimatedOverheadBytes > 0 && s.measuredBytes > 0)
    .map((s) => (s.measuredBytes - (s.estimatedBytes - s.estimatedOverheadBytes)) / s.estimatedOverheadBytes);
  if (ratios.length === 0) return null;
  const raw = median(ratios);
  const scale = Math.min(CALIBRATION.maxScale, Math.max(CALIBRATION.minScale, raw));
  return { scale, samples: ratios.length, clamped: scale !== raw };
}

/** What a corrected result says about itself (in its warnings). */
export function correctionNote(c: Correction): string {
  const n = `${c.samples} measurement${c.samples === 1 ? "" : "s"}`;
  return `corrected by ${n} of this model on this engine: overhead × ${c.scale.toFixed(2)}${c.clamped ? " (bounded)" : ""}`;
}

/** A short stable hash of the options that shape an estimate (key order does not matter). */
export function optionsHash(options: Record<string, unknown>): string {
  const canonical = JSON.stringify(Object.keys(options).sort().filter((k) => options[k] !== undefined).map((k) => [k, options[k]]));
  return createHash("sha256").update(canonical).digest("hex").slice(0, 12);
}

/** (estimated − measured) / measured: positive when the estimate was too high. */
export function relativeError(estimatedBytes: number, measuredBytes: number): number {
  return measuredBytes > 0 ? (estimatedBytes - measuredBytes) / measuredBytes : 0;
}
