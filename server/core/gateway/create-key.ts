/**
 * `POST /api/gateway/keys`: a dashboard key under a name of its own, for every model or a few. The
 * key itself is in this answer only; the store keeps its hash.
 */
import { z } from "zod";
import type { CreatedApiKey } from "../../../protocol/gateway";
import type { KeyStore } from "./key-store";
import { keyView } from "./key-view";

/** Checked per request: a list longer than any fleet's models is a mistake or an attack. */
const MAX_KEY_MODELS = 100;

const keyBodySchema = z.object({
  name: z.string().trim().min(1, "name is required").max(80).regex(/^[\w.@ -]+$/, "use letters, digits, spaces and . _ @ -"),
  models: z.array(z.string().trim().min(1).max(200, "a model name has at most 200 characters")).max(MAX_KEY_MODELS, `a key names at most ${MAX_KEY_MODELS} models (leave the list out for all of them)`).nullish(),
});

export async function createKey(store: KeyStore, body: unknown): Promise<CreatedApiKey> {
  const { name, models } = keyBodySchema.parse(body);
  const { key, record } = await store.create(name, models && models.length > 0 ? models : null);
  return { key, record: keyView(record) };
}
