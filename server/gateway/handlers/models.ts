/**
 * GET /v1/models: every model a client can ask for (routes, deployments). One body that both SDKs
 * accept: OpenAI's list fields (object, owned_by, created) and Anthropic's (type, display_name,
 * created_at, has_more, first_id/last_id) side by side.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Gateway } from "../gateway";
import { writeJson } from "../upstream/relay";
import { authenticate, newRecord } from "./proxy";

const STARTED = new Date();

export async function handleModels(gw: Gateway, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const record = newRecord("models", req.headers["anthropic-version"] ? "anthropic" : "openai", Date.now());
  const key = await authenticate(gw, req, res, record);
  if (!key) return;
  const ids = gw.models().filter((m) => gw.keys.allows(key, m));
  const created = Math.floor(STARTED.getTime() / 1000);
  const data = ids.map((id) => ({
    id, object: "model", created, owned_by: "switchyard",
    type: "model", display_name: id, created_at: STARTED.toISOString(),
  }));
  writeJson(res, 200, { object: "list", data, has_more: false, first_id: ids[0] ?? null, last_id: ids[ids.length - 1] ?? null });
}
