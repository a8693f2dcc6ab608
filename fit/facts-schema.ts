/**
 * ModelFacts as a client may send them (the CLI reads a GGUF on its own disk and sends what it
 * found, so the server needs no access to the file). Checked like every other input.
 */
import { z } from "zod";
import { FitError } from "./errors";
import { withMissing, type ModelFacts } from "./model-facts";

const count = z.number().int().nonnegative().nullable();
const size = z.number().nonnegative().nullable();

export const modelFactsSchema = z.object({
  source: z.enum(["gguf", "hf", "catalog", "hub"]),
  id: z.string().min(1).max(1000),
  architecture: z.string().max(200).nullable(),
  layers: count,
  hiddenSize: count,
  heads: count,
  kvHeads: z.union([z.number().int().nonnegative(), z.array(z.number().int().nonnegative()).max(4096)]).nullable(),
  headDimK: count,
  headDimV: count,
  contextLength: count,
  vocabSize: count,
  intermediateSize: count,
  slidingWindow: count,
  slidingLayers: count,
  experts: count,
  expertsUsed: count,
  expertIntermediateSize: count,
  kvLoraRank: count,
  qkRopeHeadDim: count,
  tiedEmbeddings: z.boolean().nullable(),
  params: size,
  weightsBytes: size,
  embeddingBytes: size,
  dtype: z.string().max(100).nullable(),
  quantBits: z.number().positive().max(64).nullable(),
  reference: z.string().max(1000).optional(),
  missing: z.array(z.string().max(300)).max(100),
});

export function parseModelFacts(input: unknown): ModelFacts {
  const r = modelFactsSchema.safeParse(input);
  if (!r.success) {
    const first = r.error.issues[0];
    throw new FitError("invalid_options", `facts: ${first ? `${first.path.join(".")}: ${first.message}` : "invalid"}`);
  }
  return withMissing(r.data);
}
