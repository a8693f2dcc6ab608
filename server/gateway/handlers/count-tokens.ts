/**
 * POST /v1/messages/count_tokens: the backend's own count when it has one (Anthropic; llama.cpp's
 * native Anthropic endpoint), else the protocol core's estimate. Claude Code calls this only to size
 * its context, so it never fails for want of a backend: any trouble falls back to the estimate.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Backend } from "../backends";
import type { Gateway } from "../gateway";
import { withModel } from "../body-fields";
import { estimateInputTokens } from "../protocol/count-tokens";
import { parseAnthropicCountTokensRequest } from "../protocol/anthropic-types";
import { ProtocolError } from "../protocol/errors";
import { upstreamHeaders } from "../upstream/headers";
import { collectWithin, send } from "../upstream/send";
import { writeJson } from "../upstream/relay";
import { authenticate, newRecord, refuse } from "./proxy";
import { readRequestBody, type RequestBody } from "./prepare";
import { ClientBodyError, readClientBody } from "./read-body";

const TIMEOUT_MS = 5000;

async function askBackend(gw: Gateway, req: IncomingMessage, b: Backend, body: RequestBody, model: string): Promise<number | null> {
  // Backends that answered 404/405/501 are not asked again (the Gateway forgets them when they go).
  if (gw.countTokensUnsupported.get(b.name) === b.url) return null;
  const target = gw.pool.targetFor(b.name, b.url);
  const call = send(target.dispatcher, {
    method: "POST", path: `${target.base}/v1/messages/count_tokens${body.query}`, headers: upstreamHeaders(b, req.headers, false), body: withModel(body.raw, body.fields, model),
  });
  try {
    const got = await collectWithin(call, 64 * 1024, TIMEOUT_MS, "timeout");
    const status = call.status;
    if (status === 404 || status === 405 || status === 501) gw.countTokensUnsupported.set(b.name, b.url);
    if (status !== 200 || !got.complete) return null;
    const n = (JSON.parse(got.body.toString("utf8")) as { input_tokens?: unknown }).input_tokens;
    return typeof n === "number" ? n : null;
  } catch {
    return null;
  }
}

export async function handleCountTokens(gw: Gateway, req: IncomingMessage, res: ServerResponse, query: string): Promise<void> {
  const started = performance.now();
  const record = newRecord("count_tokens", "anthropic", Date.now());
  const key = await authenticate(gw, req, res, record);
  try {
    if (!key) return;
    const body = readRequestBody(await readClientBody(req), query);
    const parsed = parseAnthropicCountTokensRequest(JSON.parse(body.raw.toString("utf8")));
    if (!parsed.ok) return refuse(res, record, 400, parsed.message);
    const model = parsed.value.model;
    record.modelAsked = model;
    if (!gw.keys.allows(key, model)) return refuse(res, record, 403, `the API key ${key.name} may not use model ${model}`);
    const route = gw.resolve(model);
    if (!route) return refuse(res, record, 404, `model ${model} is not routed by this gateway`);
    // The target a messages request would go to now; one more if that one cannot count.
    for (const target of gw.plan(route).filter((t) => t.availability !== "down").slice(0, 2)) {
      const backend = gw.backends().get(target.backend);
      if (!backend) continue;
      const n = await askBackend(gw, req, backend, body, target.model);
      if (n !== null) {
        record.target = target.id;
        record.status = 200;
        record.inputTokens = n;
        return writeJson(res, 200, { input_tokens: n });
      }
    }
    record.status = 200;
    record.inputTokens = estimateInputTokens(parsed.value);
    writeJson(res, 200, { input_tokens: record.inputTokens }, ["x-switchyard-estimate", "1"]);
  } catch (err) {
    if (err instanceof ProtocolError || err instanceof ClientBodyError) refuse(res, record, err.status, err.message);
    else if (err instanceof SyntaxError) refuse(res, record, 400, "the request body is not valid JSON");
    else {
      gw.logError(err, record);
      refuse(res, record, 500, "internal gateway error (see the server log)");
    }
  } finally {
    record.durationMs = Math.round(performance.now() - started);
    // Counting is not usage: it goes to the log and metrics, not to the key's token totals.
    gw.finished({ ...record, inputTokens: null }, null);
  }
}
