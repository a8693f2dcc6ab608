/**
 * MODEL → facts, as the server finds them: a GGUF file or model folder on the server's disk; a
 * repo id from the Hugging Face Hub when it is reachable (cached), else the offline catalog, with
 * a note saying so. A client that read a file on its own disk sends the facts instead (checked).
 */
import { looksLikePath } from "../../../protocol/model-ref";
import { catalogFacts, catalogIds } from "../../../fit/catalog";
import { FitError } from "../../../fit/errors";
import { parseModelFacts } from "../../../fit/facts-schema";
import type { HubSource } from "./hub";
import type { ModelFacts } from "../../../fit/model-facts";
import { resolveModelFacts } from "../../../fit/model-source";
import { resolveQuant } from "../../../fit/quant";

export interface ResolvedFacts {
  facts: ModelFacts;
  /** What to know about where the facts came from. */
  notes: string[];
}

/** The key calibrations are stored under: paths as given, repo ids in lower case (the Hub ignores case). */
export function modelKey(model: string): string {
  const m = model.trim().replace(/\/+$/, "");
  return looksLikePath(m) ? m : m.toLowerCase();
}

/** `org/name:Q4_K_M` (llama.cpp's -hf form) → the GGUF quant the tag names. */
function withQuantTag(facts: ModelFacts, tag: string | undefined): ModelFacts {
  const q = tag ? resolveQuant(tag) : null;
  if (!q || q.kind !== "gguf") return facts;
  return { ...facts, dtype: q.name, quantBits: null, weightsBytes: null, embeddingBytes: null };
}

export async function resolveServerFacts(model: string, hub: HubSource | null, clientFacts?: unknown): Promise<ResolvedFacts> {
  if (clientFacts !== undefined) return { facts: parseModelFacts(clientFacts), notes: [] };
  const text = model.trim();
  if (looksLikePath(text)) {
    try {
      return { facts: await resolveModelFacts(text), notes: [] };
    } catch (err) {
      if (err instanceof FitError && (err.reason === "file_unreadable" || err.reason === "hf_config_missing")) {
        throw new FitError(err.reason, `${err.message}. The server reads paths on its own disk; \`switchyard fit\` reads files on yours`, { model: text });
      }
      throw err;
    }
  }
  const [repo, tag] = text.split(":") as [string, string | undefined];
  const answer = hub ? await hub.facts(repo) : null;
  if (answer?.ok) return { facts: withQuantTag(answer.facts, tag), notes: [] };
  const catalog = catalogFacts(text);
  const why = answer && !answer.ok ? answer.reason : "the Hugging Face Hub is not configured";
  if (catalog) return { facts: catalog, notes: answer ? [`${why}: facts from the offline catalog`] : [] };
  throw new FitError(
    "model_unknown",
    `${text}: ${why}, and the offline catalog does not know it (it knows ${catalogIds().length} models, e.g. ${catalogIds().slice(0, 3).join(", ")})`,
    { model: text },
  );
}
