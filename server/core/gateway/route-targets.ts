/**
 * How a route names its targets, in the config file and the dashboard alike: `BACKEND/MODEL`, or a
 * list of those of equal rank. One schema is both the check and the type.
 */
import { z } from "zod";

/** `BACKEND/MODEL`: the model part may itself contain slashes (Hugging Face ids). */
export const targetString = z.string().trim().max(300).regex(/^[^/\s]+\/.+$/, "must be BACKEND/MODEL, e.g. box2/glm-4.5-air");

/** More than a fleet has: each target is a failover step a request may take. */
export const MAX_TARGETS = 32;

/** One entry of `targets`: a target, or a list of equal-rank targets balanced by load. */
export const targetEntrySchema = z.union([targetString, z.array(targetString).min(1, "an equal-rank group needs at least one target")]);

export interface RouteDef {
  model: string;
  /** Each entry a target or a list of equal-rank targets, as in the config file. */
  targets: Array<string | string[]>;
}
