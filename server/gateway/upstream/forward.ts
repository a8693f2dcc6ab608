/**
 * Failover: one client request tried on its planned targets in turn until one commits.
 *
 * An attempt commits when the first byte is about to reach the client: for a stream, the backend's
 * first body chunk; for a plain response, its whole body (bodies are small; holding one is what
 * makes a backend dying mid-body still retryable). Before that, any failure — refused connection,
 * 5xx, 429/529, a reset, a stalled backend the watchdog gave up on — moves on to the next target.
 * After it, nothing is retried, so a streamed response is never duplicated.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Backend } from "../backends";
import type { PreparedRequest, RequestRecord, Unsupported } from "../exchange";
import type { HealthMonitor, Outcome } from "../health/monitor";
import { retryAfterMs } from "../health/breaker";
import type { Protocol } from "../protocol/errors";
import { readUpstreamError, redactSecrets, translateErrorBody } from "../protocol/errors";
import type { PlannedTarget } from "../routing/plan";
import type { Tokens } from "../observe/usage";
import { upstreamHeaders } from "./headers";
import type { UpstreamPool } from "./pool";
import { collect, send, UpstreamError } from "./send";
import { relayRest, writeError, writeJson, writeWhole, type RelayContext } from "./relay";
import { redactBody } from "./redact";

/** Plain responses up to this size are held until complete (so they stay retryable). */
const HOLD_LIMIT = 8 * 1024 * 1024;
/** Statuses that say "this target, not this request": try the next one. */
const RETRY = (s: number) => s === 401 || s === 403 || s === 404 || s === 408 || s === 409 || s === 429 || s >= 500;
/** Of those, the ones that count against the backend's health. */
const BREAKER_KIND = (s: number): Outcome => (s === 429 || s === 529 || s === 503 ? { ok: false, kind: "overloaded" } : s >= 500 || s === 408 || s === 401 || s === 403 ? { ok: false, kind: "status" } : { ok: null });

export interface ForwardDeps {
  backends: () => ReadonlyMap<string, Backend>;
  monitor: HealthMonitor;
  pool: UpstreamPool;
  secrets: () => readonly string[];
}

export interface ForwardRequest {
  client: ServerResponse;
  clientReq: IncomingMessage;
  protocol: Protocol;
  stream: boolean;
  plan: PlannedTarget[];
  prepare(target: PlannedTarget, backend: Backend): PreparedRequest | Unsupported;
  record: RequestRecord;
  tokens: Tokens;
  /** When the first byte went to the client (for TTFT). */
  onCommit(): void;
}

type LastFailure = { status: number; body: Buffer; headers: IncomingMessage["headers"]; raw: boolean } | { status: null; message: string };

type AttemptResult = { done: true } | { done: false; failure: LastFailure; why: string };

export async function forward(deps: ForwardDeps, fr: ForwardRequest): Promise<void> {
  const { record } = fr;
  let last: LastFailure | null = null;
  const reasons: string[] = [];
  let previous: { id: string; why: string } | null = null;
  for (const target of fr.plan) {
    if (fr.client.destroyed) return void (record.status = 499);
    const backend = deps.backends().get(target.backend);
    if (!backend) continue;
    const prepared = fr.prepare(target, backend);
    if ("unsupported" in prepared) {
      reasons.push(`${target.id}: ${prepared.unsupported}`);
      continue;
    }
    if (!deps.monitor.begin(backend.name, target.availability === "down")) {
      reasons.push(`${target.id}: circuit open`);
      continue;
    }
    if (previous) record.hops.push({ from: previous.id, to: target.id, why: previous.why });
    record.attempts++;
    if (record.attempts > 1) record.failovers++;
    record.target = target.id;
    const result = await attempt(deps, fr, backend, prepared);
    if (result.done) return;
    last = result.failure;
    reasons.push(`${target.id}: ${result.why}`);
    previous = { id: target.id, why: result.why };
  }
  if (previous) record.hops.push({ from: previous.id, to: null, why: previous.why });
  record.error = reasons.join("; ") || "no target";
  if (fr.client.destroyed) return void (record.status = 499);
  if (last && last.status !== null) {
    // Every target failed; the last one's own answer is the most useful thing to show.
    record.status = last.status;
    if (last.raw) {
      const body = redactBody(last.body, deps.secrets());
      fr.client.writeHead(last.status, { "content-type": last.headers["content-type"] ?? "application/json", "content-length": body.length });
      fr.client.end(body);
    } else {
      const body = JSON.stringify(translateErrorBody(last.body.toString("utf8"), last.status, fr.protocol, deps.secrets()));
      fr.client.writeHead(last.status, { "content-type": "application/json", "content-length": Buffer.byteLength(body) });
      fr.client.end(body);
    }
    return;
  }
  // 503 + overloaded_error (Anthropic) / server_error (OpenAI): both tell SDKs and Claude Code to retry.
  record.status = 503;
  const message = fr.plan.length === 0 ? `no backend is available for model ${record.modelAsked}` : `every backend for model ${record.modelAsked} failed: ${record.error}`;
  writeError(fr.client, fr.protocol, 503, message, { "retry-after": "1" });
}

async function attempt(deps: ForwardDeps, fr: ForwardRequest, backend: Backend, prepared: PreparedRequest): Promise<AttemptResult> {
  const headers = upstreamHeaders(backend, fr.clientReq.headers, fr.stream);
  const target = deps.pool.targetFor(backend.name, backend.url);
  const open = () => send({ url: backend.url, path: prepared.path, target, method: "POST", headers, body: prepared.body, agent: target.agent });
  let sent = open();
  let abandon: UpstreamError | null = null;
  const giveUp = (err: UpstreamError) => {
    abandon ??= err;
    sent.request.destroy(err);
  };
  // Nothing has gone to the client yet: a stalled backend (watchdog) or a slow one (timeout) is left for the next target.
  const unwatch = deps.monitor.waitFirstByte(backend.name, (why) => giveUp(new UpstreamError("timeout", `stopped answering (${why})`)));
  const timer = backend.firstByteTimeoutMs ? setTimeout(() => giveUp(new UpstreamError("timeout", `nothing within ${backend.firstByteTimeoutMs} ms`)), backend.firstByteTimeoutMs) : null;
  const onClientGone = () => giveUp(new UpstreamError("reset", "client went away"));
  fr.client.once("close", onClientGone);
  const stopWaiting = () => {
    unwatch();
    if (timer) clearTimeout(timer);
    fr.client.off("close", onClientGone);
  };
  const relayCtx: RelayContext = { client: fr.client, clientProtocol: fr.protocol, backendProtocol: backend.api, relay: prepared.relay, secrets: deps.secrets(), tokens: fr.tokens, onActivity: () => deps.monitor.touch(backend.name) };

  let res: IncomingMessage;
  try {
    res = await sent.response.catch((err: unknown) => {
      // A pooled keep-alive socket the backend closed just as we reused it: the request never got
      // there. That says nothing about the backend's health; send it once more on a fresh socket.
      if (!abandon && sent.request.reusedSocket && err instanceof UpstreamError && err.kind === "reset") {
        sent = open();
        return sent.response;
      }
      throw err;
    });
    deps.monitor.touch(backend.name);
    const status = res.statusCode ?? 502;
    if (status >= 400) {
      const got = await collect(res, HOLD_LIMIT);
      // An error body this large is no message for anyone: the rest is not read (the connection
      // goes, rather than staying paused forever), and the client gets an error that says so
      // instead of a cut-off body passed off as whole.
      if (!got.complete) res.destroy();
      const body = got.complete ? got.body : Buffer.from(JSON.stringify({ error: { message: `the backend answered HTTP ${status} with an error body over ${HOLD_LIMIT >> 20} MiB (not relayed)` } }));
      const raw = got.complete && prepared.relay.kind === "raw";
      if (RETRY(status)) {
        stopWaiting();
        const outcome = BREAKER_KIND(status);
        deps.monitor.end(backend.name, outcome.ok === false ? { ...outcome, retryAfterMs: retryAfterMs(res.headers["retry-after"]) } : outcome);
        return { done: false, failure: { status, body, headers: res.headers, raw }, why: `HTTP ${status}` };
      }
      stopWaiting();
      deps.monitor.end(backend.name, { ok: null }); // the request's fault, not the backend's
      commit(fr, status);
      // The request log says why (a context overflow, a bad field), not just the status.
      fr.record.error = redactSecrets(readUpstreamError(body.toString("utf8")).message, deps.secrets()).slice(0, 500);
      if (got.complete) writeWhole(relayCtx, res, body);
      else writeJson(fr.client, status, translateErrorBody(body.toString("utf8"), status, fr.protocol, deps.secrets()));
      return { done: true };
    }
    if (!fr.stream) {
      const got = await collect(res, HOLD_LIMIT);
      deps.monitor.touch(backend.name);
      stopWaiting();
      commit(fr, status);
      if (got.complete) {
        writeWhole(relayCtx, res, got.body);
        deps.monitor.end(backend.name, { ok: true });
        return { done: true };
      }
      return finishRelay(deps, backend, await relayRest(relayCtx, res, got.head, false));
    }
    const head = await firstChunk(res);
    stopWaiting();
    commit(fr, status);
    return finishRelay(deps, backend, await relayRest(relayCtx, res, head, true));
  } catch (err) {
    stopWaiting();
    const error = abandon ?? (err instanceof UpstreamError ? err : new UpstreamError("reset", (err as Error).message));
    if (fr.client.destroyed) {
      deps.monitor.end(backend.name, { ok: null });
      return { done: false, failure: { status: null, message: "client went away" }, why: "client went away" };
    }
    deps.monitor.end(backend.name, { ok: false, kind: error.kind });
    return { done: false, failure: { status: null, message: error.message }, why: error.message };
  }
}

function commit(fr: ForwardRequest, status: number): void {
  fr.record.status = status;
  fr.onCommit();
}

function finishRelay(deps: ForwardDeps, backend: Backend, end: Awaited<ReturnType<typeof relayRest>>): AttemptResult {
  if (end.ok === true) deps.monitor.end(backend.name, { ok: true });
  else if (end.ok === false) deps.monitor.end(backend.name, { ok: false, kind: end.error.kind });
  else deps.monitor.end(backend.name, { ok: null });
  return { done: true };
}

/** Waits for a stream's first body chunk (or its end); rejects when the backend fails before it. */
function firstChunk(res: IncomingMessage): Promise<Buffer[]> {
  return new Promise((resolve, reject) => {
    const cleanup = () => {
      res.off("data", onData);
      res.off("end", onEnd);
      res.off("error", onError);
      res.off("aborted", onAborted);
    };
    const onData = (c: Buffer) => {
      cleanup();
      res.pause();
      resolve([c]);
    };
    const onEnd = () => {
      cleanup();
      reject(new UpstreamError("reset", "the backend ended the stream before sending anything"));
    };
    const onError = (err: Error) => {
      cleanup();
      reject(err instanceof UpstreamError ? err : new UpstreamError("reset", err.message));
    };
    const onAborted = () => {
      cleanup();
      reject(new UpstreamError("reset", "the backend closed the connection"));
    };
    res.on("data", onData);
    res.on("end", onEnd);
    res.on("error", onError);
    res.on("aborted", onAborted);
  });
}

