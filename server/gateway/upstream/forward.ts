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
import type { PreparedRequest, Relay, RequestRecord, Unsupported } from "../exchange";
import type { FirstByteWaiter, HealthMonitor, Outcome } from "../health/monitor";
import { retryAfterMs } from "../health/breaker";
import type { Protocol } from "../protocol/errors";
import { readUpstreamError, redactSecrets, translateErrorBody } from "../protocol/errors";
import type { PlannedTarget } from "../routing/plan";
import type { Tokens } from "../observe/usage";
import { upstreamHeaders } from "./headers";
import type { UpstreamPool, UpstreamTarget } from "./pool";
import { collect, isReset, send, sendOnFreshConnection, UpstreamError, type Collected, type UpstreamCall, type UpstreamRequest } from "./send";
import { endHeldStream, heldOpen, relayRest, writeError, writeJson, writeWhole, type RelayContext } from "./relay";
import { redactBody } from "./redact";
import { appendAnsweredBy } from "../observe/answered-by";
import type { OnDemandGate, Release } from "../../core/ondemand";
import { holdOpenWhile, leaseCold } from "./on-demand";

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
  /** Leases on on-demand deployments (null: none are routable). */
  ondemand?: OnDemandGate | null;
  /** A backend read afresh, past the cache (an on-demand deployment has a new URL after each load). */
  fresh?(name: string): Backend | undefined;
  /** A stream waiting this long for a model to load gets its head and SSE comments (default 15 s). */
  streamKeepAliveMs?: number;
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

type LastFailure = { status: number; body: Buffer; contentType: string | undefined; raw: boolean } | { status: null; message: string };

type AttemptResult = { done: true } | { done: false; failure: LastFailure; why: string };

export async function forward(deps: ForwardDeps, fr: ForwardRequest): Promise<void> {
  const { record } = fr;
  let last: LastFailure | null = null;
  const reasons: string[] = [];
  let previous: { id: string; why: string } | null = null;
  for (const target of fr.plan) {
    if (fr.client.destroyed) return void (record.status = 499);
    let backend = deps.backends().get(target.backend);
    if (!backend) continue;
    const prepared = fr.prepare(target, backend);
    if ("unsupported" in prepared) {
      reasons.push(`${target.id}: ${prepared.unsupported}`);
      continue;
    }
    let release: Release | null = null;
    let entered = false;
    const od = backend.onDemand;
    if (od) {
      // Warm: a lease at once, no await. Cold: wait for its load (every request for it joins the same one).
      release = deps.ondemand?.tryLease(od.id) ?? null;
      // Warm now, though the cached view is older (it turned warm a moment ago): its URL is new.
      if (release && !od.warm) {
        const fresh = deps.fresh?.(backend.name);
        if (fresh?.url) backend = fresh;
        else {
          release();
          release = null;
        }
      }
      if (!release) {
        if (!deps.ondemand) continue;
        enter(record, previous, target.id);
        entered = true;
        const fresh = (name: string) => deps.fresh?.(name) ?? deps.backends().get(name);
        // A long load must not look like a dead connection to a proxy between the client and here.
        const held = fr.stream ? holdOpenWhile(fr.client, backend.name, deps.streamKeepAliveMs ?? 15_000) : null;
        const got = await leaseCold(deps.ondemand, backend.name, od.id, fr.client, fr.protocol, deps.secrets(), fresh, (ms) => (record.loadWaitMs = (record.loadWaitMs ?? 0) + ms));
        held?.stop();
        if ("why" in got) {
          if (got.status === 499) return void (record.status = 499);
          if (got.body.length > 0) last = { status: got.status, body: got.body, contentType: "application/json", raw: true };
          reasons.push(`${target.id}: ${got.why}`);
          previous = { id: target.id, why: got.why };
          continue;
        }
        release = got.release;
        backend = got.backend;
      }
    }
    try {
      if (!deps.monitor.begin(backend.name, target.availability === "down" || entered)) {
        reasons.push(`${target.id}: circuit open`);
        continue;
      }
      if (!entered) enter(record, previous, target.id);
      const result = await new Attempt(deps, fr, backend, prepared).run();
      if (result.done) return;
      last = result.failure;
      reasons.push(`${target.id}: ${result.why}`);
      previous = { id: target.id, why: result.why };
    } finally {
      release?.();
    }
  }
  if (previous) record.hops.push({ from: previous.id, to: null, why: previous.why });
  record.error = reasons.join("; ") || "no target";
  if (fr.client.destroyed) return void (record.status = 499);
  if (last && last.status !== null && heldOpen(fr.client)) {
    record.status = last.status;
    return endHeldStream(fr.client, fr.protocol, last.status, last.body.toString("utf8"), deps.secrets());
  }
  if (last && last.status !== null) {
    // Every target failed; the last one's own answer is the most useful thing to show.
    record.status = last.status;
    if (last.raw) {
      const body = redactBody(last.body, deps.secrets());
      fr.client.writeHead(last.status, { "content-type": last.contentType ?? "application/json", "content-length": body.length });
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
  writeError(fr.client, fr.protocol, 503, message, ["retry-after", "1"]);
}

/** The request moves on to target `id` (after `previous`, when one failed before it). */
function enter(record: RequestRecord, previous: { id: string; why: string } | null, id: string): void {
  if (previous) record.hops.push({ from: previous.id, to: id, why: previous.why });
  record.attempts++;
  if (record.attempts > 1) record.failovers++;
  record.target = id;
}

/**
 * One try of one target. The object is also what the health monitor's watchdog holds while the
 * request waits for its first byte, and the relay's context once it commits: the hot path makes
 * one object per try, not a closure per concern.
 */
class Attempt implements FirstByteWaiter, RelayContext {
  since = 0;
  slot = -1;
  readonly client: ServerResponse;
  readonly clientProtocol: Protocol;
  readonly backendProtocol: Protocol;
  readonly relay: Relay;
  readonly secrets: readonly string[];
  readonly tokens: Tokens;
  readonly answeredBy: RequestRecord;
  private call: UpstreamCall;
  private held: Promise<Collected> | null = null;
  /** Why the gateway gave up on this try (watchdog, timeout, client gone), if it did. */
  private abandon: UpstreamError | null = null;
  private timer: NodeJS.Timeout | null = null;
  private readonly onClientGone: () => void;
  private readonly target: UpstreamTarget;
  private readonly request: UpstreamRequest;

  constructor(private readonly deps: ForwardDeps, private readonly fr: ForwardRequest, private readonly backend: Backend, private readonly prepared: PreparedRequest) {
    this.client = fr.client;
    this.clientProtocol = fr.protocol;
    this.backendProtocol = backend.api;
    this.relay = prepared.relay;
    this.secrets = deps.secrets();
    this.tokens = fr.tokens;
    this.answeredBy = fr.record;
    this.target = deps.pool.targetFor(backend.name, backend.url);
    this.request = { method: "POST", path: this.target.base + prepared.path, headers: upstreamHeaders(backend, fr.clientReq.headers, fr.stream), body: prepared.body };
    this.call = this.send(send(this.target.dispatcher, this.request));
    this.onClientGone = this.clientGone.bind(this);
  }

  /** Sends; a plain answer is read whole whatever its status: its reader is set before the head arrives. */
  private send(call: UpstreamCall): UpstreamCall {
    this.held = this.fr.stream ? null : collect(call, HOLD_LIMIT);
    return call;
  }

  /** The backend sent something (liveness for the health monitor). */
  onActivity(): void {
    this.deps.monitor.touch(this.backend.name);
  }

  /** The watchdog found the backend down while this try waited for its first byte. */
  onDown(why: string): void {
    this.giveUp(new UpstreamError("timeout", `stopped answering (${why})`));
  }

  private giveUp(err: UpstreamError): void {
    this.abandon ??= err;
    this.call.abort(err);
  }

  private clientGone(): void {
    this.giveUp(new UpstreamError("reset", "client went away"));
  }

  /** Nothing has gone to the client yet: a stalled backend (watchdog) or a slow one (timeout) is left for the next target. */
  private startWaiting(): void {
    this.deps.monitor.waitFirstByte(this.backend.name, this);
    const ms = this.backend.firstByteTimeoutMs;
    if (ms) this.timer = setTimeout(firstByteTimeout, ms, this, ms);
    this.client.once("close", this.onClientGone);
  }

  private stopWaiting(): void {
    this.deps.monitor.doneWaiting(this.backend.name, this);
    if (this.timer) clearTimeout(this.timer);
    this.client.off("close", this.onClientGone);
  }

  /** Called by the first-byte timer. */
  timedOut(ms: number): void {
    this.giveUp(new UpstreamError("timeout", `nothing within ${ms} ms`));
  }

  /**
   * A plain answer over the hold limit that needs translating: its translation would be made in
   * memory, whole, and the backend answered; so the client gets an error that says what to do
   * instead of a cut or garbled body, and the backend's connection is let go.
   */
  private tooLargeToTranslate(call: UpstreamCall): AttemptResult {
    const { deps, fr, backend } = this;
    call.abort(new UpstreamError("reset", "answer too large to translate"));
    deps.monitor.end(backend.name, { ok: true });
    commit(fr, 502);
    fr.record.error = `the answer is over ${HOLD_LIMIT >> 20} MiB, too large to translate`;
    writeError(fr.client, fr.protocol, 502, `the backend's answer is over ${HOLD_LIMIT >> 20} MiB, too large to translate between the OpenAI and Anthropic protocols; ask for it streamed (stream: true)`, appendAnsweredBy([], fr.record));
    return DONE;
  }

  async run(): Promise<AttemptResult> {
    const { deps, fr, backend, prepared } = this;
    this.startWaiting();
    try {
      try {
        await this.call.head;
      } catch (err) {
        // A lost connection before any byte of the answer: most often a keep-alive connection the
        // backend closed just as it was reused (llama-server closes idle ones). The request never got
        // an answer, and that says nothing about the backend's health: send it once more, on a
        // connection of its own (another pooled one may be just as stale), before failing over.
        if (this.abandon || !isReset(err)) throw err;
        this.call = this.send(sendOnFreshConnection(this.target.origin, this.request));
        await this.call.head;
      }
      const call = this.call;
      deps.monitor.touch(backend.name);
      const status = call.status;
      if (status >= 400) {
        const got = await (this.held ?? collect(call, HOLD_LIMIT));
        // An error body this large is no message for anyone: the rest is not read (the connection
        // goes, rather than staying paused forever), and the client gets an error that says so
        // instead of a cut-off body passed off as whole.
        if (!got.complete) call.abort(new UpstreamError("reset", "error body too large"));
        const body = got.complete ? got.body : Buffer.from(JSON.stringify({ error: { message: `the backend answered HTTP ${status} with an error body over ${HOLD_LIMIT >> 20} MiB (not relayed)` } }));
        const raw = got.complete && prepared.relay.kind === "raw";
        if (RETRY(status)) {
          this.stopWaiting();
          const outcome = BREAKER_KIND(status);
          deps.monitor.end(backend.name, outcome.ok === false ? { ...outcome, retryAfterMs: retryAfterMs(call.header("retry-after")) } : outcome);
          return { done: false, failure: { status, body, contentType: call.header("content-type"), raw }, why: `HTTP ${status}` };
        }
        this.stopWaiting();
        deps.monitor.end(backend.name, { ok: null }); // the request's fault, not the backend's
        commit(fr, status);
        // The request log says why (a context overflow, a bad field), not just the status.
        fr.record.error = redactSecrets(readUpstreamError(body.toString("utf8")).message, deps.secrets()).slice(0, 500);
        if (heldOpen(fr.client)) endHeldStream(fr.client, fr.protocol, status, body.toString("utf8"), deps.secrets());
        else if (got.complete) writeWhole(this, call, body);
        else writeJson(fr.client, status, translateErrorBody(body.toString("utf8"), status, fr.protocol, deps.secrets()), appendAnsweredBy([], fr.record));
        return DONE;
      }
      if (this.held) {
        const got = await this.held;
        deps.monitor.touch(backend.name);
        this.stopWaiting();
        commit(fr, status);
        if (got.complete) {
          writeWhole(this, call, got.body);
          deps.monitor.end(backend.name, { ok: true });
          return DONE;
        }
        if (prepared.relay.kind !== "raw") return this.tooLargeToTranslate(call);
        return finishRelay(deps, backend, await relayRest(this, call, got.head, false));
      }
      const head = await firstChunk(call);
      this.stopWaiting();
      commit(fr, status);
      return finishRelay(deps, backend, await relayRest(this, call, head, true));
    } catch (err) {
      this.stopWaiting();
      const error = this.abandon ?? (err instanceof UpstreamError ? err : new UpstreamError("reset", (err as Error).message));
      if (fr.client.destroyed) {
        deps.monitor.end(backend.name, { ok: null });
        return { done: false, failure: { status: null, message: "client went away" }, why: "client went away" };
      }
      deps.monitor.end(backend.name, { ok: false, kind: error.kind });
      return { done: false, failure: { status: null, message: error.message }, why: error.message };
    }
  }
}

const DONE: AttemptResult = { done: true };

function firstByteTimeout(attempt: Attempt, ms: number): void {
  attempt.timedOut(ms);
}

function commit(fr: ForwardRequest, status: number): void {
  fr.record.status = status;
  fr.onCommit();
}

function finishRelay(deps: ForwardDeps, backend: Backend, end: Awaited<ReturnType<typeof relayRest>>): AttemptResult {
  if (end.ok === true) deps.monitor.end(backend.name, { ok: true });
  else if (end.ok === false) deps.monitor.end(backend.name, { ok: false, kind: end.error.kind });
  else deps.monitor.end(backend.name, { ok: null });
  return DONE;
}

/** Waits for a stream's first body chunk (or its end); rejects when the backend fails before it. */
function firstChunk(call: UpstreamCall): Promise<Buffer[]> {
  return new Promise((resolve, reject) => {
    let done = false;
    call.setSink({
      data(c) {
        if (!done) resolve([c]);
        done = true;
        return false; // the relay resumes
      },
      end() {
        if (!done) reject(new UpstreamError("reset", "the backend ended the stream before sending anything"));
        done = true;
      },
      error(err) {
        if (!done) reject(err);
        done = true;
      },
    });
  });
}
