/**
 * The fit verbs the transports call (REST, the deployments' placement, the calibration recorder):
 * estimate for given GPU memory, the matrix against the live fleet, the calibrations. Facts come
 * from server-facts.ts; every estimate of a model the fleet has run before is corrected by its
 * measurements (calibration.ts), and says so.
 */
import { z } from "zod";
import type { CalibrationView, FitFactsInfo, FitMatrixView, FitResponse } from "../../../protocol/fit";
import type { Logger } from "../../../lib/logger";
import type { FitRepo } from "../../db/repos/fit-repo";
import type { Fleet } from "../fleet";
import { CALIBRATION, correctionNote, overheadCorrection } from "../../../fit/calibration";
import { FitError } from "../../../fit/errors";
import { defaultEngine, estimateFit } from "../../../fit/estimate";
import type { HubSource } from "./hub";
import { fitMatrix, TIGHT_BELOW } from "../../../fit/matrix";
import type { ModelFacts } from "../../../fit/model-facts";
import { FitOptionsSchema, type Engine, type FitOptionsInput } from "../../../fit/options";
import { modelKey, resolveServerFacts } from "./server-facts";

// overheadScale without its default: absent means "correct from measurements".
const request = {
  model: z.string().trim().min(1, "model is required").max(1000),
  facts: z.unknown().optional(),
  overheadScale: FitOptionsSchema.shape.overheadScale.unwrap().optional(),
};
export const fitRequestSchema = FitOptionsSchema.extend(request);
export const matrixRequestSchema = FitOptionsSchema.omit({ gpuMem: true, freeBytes: true, gpuIndices: true, tp: true }).extend(request);

export interface FitServiceDeps {
  fleet: Pick<Fleet, "list">;
  /** Calibrations; null: no self-calibration (e.g. tests of other areas). */
  repo: FitRepo | null;
  hub: HubSource | null;
  log?: Logger;
}

export interface Prepared {
  facts: ModelFacts;
  info: FitFactsInfo;
  engine: Engine;
  /** The options with the correction applied. */
  options: FitOptionsInput;
  /** Notes for every answer: where the facts came from, the correction. */
  notes: string[];
}

export interface FitService {
  estimate(body: unknown): Promise<FitResponse>;
  matrix(body: unknown): Promise<FitMatrixView>;
  calibrations(limit?: number): Promise<CalibrationView[]>;
  /** Facts, engine and corrected options for a model: shared by the verbs and the placement hook. */
  prepare(model: string, options: FitOptionsInput, clientFacts?: unknown): Promise<Prepared>;
}

function parse<T extends z.ZodType>(schema: T, body: unknown): z.output<T> {
  const r = schema.safeParse(body ?? {});
  if (r.success) return r.data;
  const msg = r.error.issues.map((i) => (i.path.length ? `${i.path.join(".")}: ${i.message}` : i.message)).join("; ");
  throw new FitError("invalid_options", msg);
}

/** Facts clients sent for files on their disks, kept for later look-ups of the same path. */
const REMEMBERED_FACTS = 200;

export function createFitService(deps: FitServiceDeps): FitService {
  // A GGUF on a node's disk is not readable here, but the CLI sent its facts when it was fitted:
  // the deploy form's verdict and the calibration of that deployment can use them.
  const remembered = new Map<string, ModelFacts>();
  const resolve = async (name: string, clientFacts: unknown) => {
    const key = modelKey(name);
    try {
      const r = await resolveServerFacts(name, deps.hub, clientFacts);
      if (clientFacts !== undefined) {
        remembered.delete(key);
        remembered.set(key, r.facts);
        if (remembered.size > REMEMBERED_FACTS) remembered.delete(remembered.keys().next().value!);
      }
      return r;
    } catch (err) {
      const known = remembered.get(key);
      if (known && err instanceof FitError && err.reason === "file_unreadable") return { facts: known, notes: ["facts as a client read them from its own disk earlier"] };
      throw err;
    }
  };

  const prepare: FitService["prepare"] = async (name, options, clientFacts) => {
    const { facts, notes } = await resolve(name, clientFacts);
    const engine = options.engine ?? defaultEngine(facts);
    const info: FitFactsInfo = { id: facts.id, source: facts.source, architecture: facts.architecture, notes };
    // An explicit overheadScale is the caller's own correction: measurements do not override it.
    if (!deps.repo || options.overheadScale !== undefined) return { facts, info, engine, options: { ...options, engine }, notes };
    const rows = await deps.repo.recent(modelKey(name), engine, CALIBRATION.maxSamples);
    const c = overheadCorrection(rows);
    if (!c) return { facts, info, engine, options: { ...options, engine }, notes };
    return { facts, info, engine, options: { ...options, engine, overheadScale: c.scale }, notes: [...notes, correctionNote(c)] };
  };

  return {
    prepare,

    async estimate(body) {
      const { model: name, facts: clientFacts, ...options } = parse(fitRequestSchema, body);
      const p = await prepare(name, options, clientFacts);
      const r = estimateFit(p.facts, p.options);
      return { ...r, warnings: [...p.notes, ...r.warnings], facts: p.info };
    },

    async matrix(body) {
      const { model: name, facts: clientFacts, ...options } = parse(matrixRequestSchema, body);
      const p = await prepare(name, options, clientFacts);
      // Options that no GPU set can change (a KV type the engine lacks, an unknown quant) fail the
      // whole request here; the cells then only differ in GPUs and TP.
      const base = estimateFit(p.facts, p.options);
      const m = fitMatrix(p.facts, p.options, deps.fleet.list());
      return {
        model: name, engine: p.engine, facts: p.info, ctx: base.ctx, parallel: base.parallel, kvDtype: base.kvDtype,
        precision: base.precision, tightBelow: TIGHT_BELOW, cells: m.cells, best: m.best,
        warnings: [...p.notes, ...base.warnings], uncertain: base.uncertain, estimate: base,
      };
    },

    calibrations: async (limit = 100) => (deps.repo ? deps.repo.list(limit) : []),
  };
}
