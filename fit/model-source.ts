/**
 * MODEL as the CLI takes it → facts: a GGUF file, a Hugging Face folder (config.json), or a
 * repo id the offline catalog knows. (Hub look-ups, when the server can reach the Hub, belong
 * in an adapter that calls hfConfigFacts on the fetched config.)
 */
import { stat } from "node:fs/promises";
import { catalogFacts, catalogIds } from "./catalog";
import { FitError } from "./errors";
import { readGgufFacts } from "./gguf-reader";
import { readHfFacts } from "./hf-config";
import type { ModelFacts } from "./model-facts";

export async function resolveModelFacts(model: string): Promise<ModelFacts> {
  const s = await stat(model).catch(() => null);
  // A path that names a GGUF file gets the reader's own error (missing, unreadable), not a catalog miss.
  if (s?.isFile() || (!s && model.toLowerCase().endsWith(".gguf"))) return readGgufFacts(model);
  if (s?.isDirectory()) return readHfFacts(model);
  const facts = catalogFacts(model);
  if (facts) return facts;
  throw new FitError(
    "model_unknown",
    `${model}: not a GGUF file, not a model folder, and not in the offline catalog (it knows ${catalogIds().length} models, e.g. ${catalogIds().slice(0, 3).join(", ")})`,
    { model },
  );
}
