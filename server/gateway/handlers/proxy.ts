/**
 * The proxied endpoints (chat, completions, embeddings, messages): authenticate, read the body's
 * model and stream flag, route, plan, forward, and record what happened. Errors before a backend is
 * involved are answered in the client's protocol.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { GatewayKey } from "../../core/gateway/key-store";
import type { Endpoint, PreparedRequest, RequestRecord, Unsupported } from "../exchange";
import type { Gateway } from "../gateway";
import { ProtocolError, type Protocol } from "../protocol/errors";
import type { Tokens } from "../observe/usage";
import { forward, type ForwardRequest } from "../upstream/forward";
import type { PlannedTarget } from "../routing/plan";
import type { Backend } from "../backends";
import { writeError } from "../upstream/relay";
import { readRequestBody, prepareFor, type RequestBody } from "./prepare";
import { ClientBodyError, readClientBody } from "./read-body";

const BODY_LOG_LIMIT = 64 * 1024;

export function newRecord(endpoint: Endpoint, protocol: Protocol, now: number): RequestRecord {
  return {
    ts: now, keyName: null, endpoint, protocol, modelAsked: null, target: null, attempts: 0, failovers: 0, status: 0,
    stream: false, ttftMs: null, durationMs: 0, inputTokens: null, outputTokens: null, loadWaitMs: null, error: null, body: null, hops: [],
  };
}

/** Answers an error in the client's protocol and records it. */
export function refuse(res: ServerResponse, record: RequestRecord, status: number, message: string): void {
  record.status = status;
  record.error = message;
  writeError(res, record.protocol, status, message);
}

/** The request's caller, or null after answering 401; a promise only where a session must be looked up. */
export function authenticate(gw: Gateway, req: IncomingMessage, res: ServerResponse, record: RequestRecord): GatewayKey | null | Promise<GatewayKey | null> {
  const found = gw.authenticate(req.headers);
  return found instanceof Promise ? found.then((key) => admit(key, req, res, record)) : admit(found, req, res, record);
}

function admit(key: GatewayKey | null, req: IncomingMessage, res: ServerResponse, record: RequestRecord): GatewayKey | null {
  if (!key) {
    const presented = req.headers.authorization || req.headers["x-api-key"];
    refuse(res, record, 401, presented ? "that API key is not valid (or was revoked)" : "an API key is required: send 'Authorization: Bearer KEY' or 'x-api-key: KEY'");
    return null;
  }
  record.keyName = key.name;
  return key;
}

/** One client request on its way through forward(): what it carries, and how it is made for each target. */
class ProxiedRequest implements ForwardRequest {
  readonly stream: boolean;

  constructor(
    readonly client: ServerResponse, readonly clientReq: IncomingMessage, readonly protocol: Protocol, readonly record: RequestRecord, readonly tokens: Tokens,
    readonly plan: PlannedTarget[], private readonly endpoint: Endpoint, private readonly body: RequestBody, private readonly started: number,
  ) {
    this.stream = record.stream;
  }

  prepare(target: PlannedTarget, backend: Backend): PreparedRequest | Unsupported {
    return prepareFor(this.endpoint, this.body, target, backend);
  }

  onCommit(): void {
    this.record.ttftMs = Math.round(performance.now() - this.started);
  }
}

export async function handleProxy(gw: Gateway, req: IncomingMessage, res: ServerResponse, endpoint: Endpoint, protocol: Protocol, query: string): Promise<void> {
  const started = performance.now();
  const record = newRecord(endpoint, protocol, Date.now());
  const tokens: Tokens = { input: null, output: null };
  let key: GatewayKey | null = null;
  try {
    const found = authenticate(gw, req, res, record);
    key = found instanceof Promise ? await found : found;
    if (!key) return;
    const raw = await readClientBody(req);
    if (gw.logBodies) record.body = raw.toString("utf8", 0, Math.min(raw.length, BODY_LOG_LIMIT));
    const body = readRequestBody(raw, query);
    const model = body.fields.model;
    if (typeof model !== "string" || model === "") return refuse(res, record, 400, "model: required (a string naming the model)");
    record.modelAsked = model;
    record.stream = endpoint !== "embeddings" && body.fields.stream;
    if (!gw.keys.allows(key, model)) return refuse(res, record, 403, `the API key ${key.name} may not use model ${model}`);
    const route = gw.resolve(model);
    if (!route) {
      const known = gw.models();
      return refuse(res, record, 404, `model ${model} is not routed by this gateway (known: ${known.length ? known.join(", ") : "none: add a route or deploy a model"})`);
    }
    await forward(gw.forwardDeps, new ProxiedRequest(res, req, protocol, record, tokens, gw.plan(route), endpoint, body, started));
  } catch (err) {
    if (err instanceof ProtocolError) refuse(res, record, err.status, err.message);
    else if (err instanceof ClientBodyError) refuse(res, record, err.status, err.message);
    else {
      gw.logError(err, record);
      refuse(res, record, 500, "internal gateway error (see the server log)");
    }
  } finally {
    record.durationMs = Math.round(performance.now() - started);
    record.inputTokens = tokens.input;
    record.outputTokens = tokens.output;
    if (record.status === 0) record.status = res.headersSent ? res.statusCode : 499;
    gw.finished(record, key);
  }
}
