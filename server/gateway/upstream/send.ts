/**
 * One HTTP exchange with a backend, on undici's dispatcher (the hot path: no request, response or
 * stream objects per call, headers as flat arrays). `send` returns an UpstreamCall: `head` settles
 * when the response's status and headers arrive; the body then goes to whatever sink the caller
 * sets, with backpressure (a sink that answers false pauses the socket until `resume()`). Chunks,
 * the end or an error that come before a sink is set wait for it, so nothing is lost between one
 * sink and the next (collect, then relay). Errors come back classified for the breaker: a refused
 * connection is a dead backend, a reset or timeout a sick one.
 */
import { Client, type Dispatcher } from "undici";
import type { FailureKind } from "../health/breaker";
import { UPSTREAM_OPTIONS } from "./pool";

export class UpstreamError extends Error {
  constructor(readonly kind: FailureKind, message: string) {
    super(message);
    this.name = "UpstreamError";
  }
}

export function classify(err: Error & { code?: string }): UpstreamError {
  if (err instanceof UpstreamError) return err;
  switch (err.code) {
    case "ECONNREFUSED":
    case "ENOTFOUND":
    case "EAI_AGAIN":
    case "EHOSTUNREACH":
    case "ENETUNREACH":
      return new UpstreamError("connect", `connection failed (${err.code})`);
    case "UND_ERR_CONNECT_TIMEOUT":
      return new UpstreamError("connect", "connection failed (no answer to connect)");
    case "ETIMEDOUT":
      return new UpstreamError("timeout", "timed out");
    case "UND_ERR_SOCKET":
      return new UpstreamError("reset", `connection lost (${err.message})`);
    default:
      return new UpstreamError("reset", err.code ? `connection lost (${err.code})` : err.message || "connection lost");
  }
}

/** Lost connections (as opposed to refused ones, timeouts and answers): what a stale keep-alive socket gives. */
export const isReset = (err: unknown): boolean => err instanceof UpstreamError && err.kind === "reset";

export interface BodySink {
  /** One chunk; false pauses the backend's socket until the call's `resume()`. */
  data(chunk: Buffer): boolean;
  end(): void;
  error(err: UpstreamError): void;
}

export interface UpstreamRequest {
  method: "GET" | "POST";
  /** Path on the backend's origin, base path and query included. */
  path: string;
  /** Flat [name, value, …], lower-case names. */
  headers: string[];
  body?: Buffer;
}

export class UpstreamCall implements Dispatcher.DispatchHandlers {
  status = 0;
  /** The response's headers as undici gives them: [name, value, …] as bytes. */
  rawHeaders: Buffer[] = [];
  /** Settles at the response head; rejects with an UpstreamError when the exchange fails before it. */
  readonly head: Promise<UpstreamCall>;
  private settle!: { resolve(c: UpstreamCall): void; reject(e: UpstreamError): void };
  private headed = false;
  private sink: BodySink | null = null;
  private waiting: Buffer | null = null;
  private ended = false;
  private failure: UpstreamError | null = null;
  private paused = false;
  private abortFn: ((err: Error) => void) | null = null;
  private abortReason: UpstreamError | null = null;
  private resumeFn: (() => void) | null = null;

  constructor() {
    this.head = new Promise((resolve, reject) => (this.settle = { resolve, reject }));
    // The call may be abandoned (failover, client gone) before anyone awaits its head.
    this.head.catch(() => {});
  }

  /** A response header's value (first occurrence), by lower-case name. */
  header(name: string): string | undefined {
    const h = this.rawHeaders;
    for (let i = 0; i < h.length; i += 2) {
      const k = h[i]!;
      if (k.length === name.length && k.toString("latin1").toLowerCase() === name) return h[i + 1]!.toString("latin1");
    }
    return undefined;
  }

  /** Ends the exchange (no-op once it is complete); a call without a head yet rejects with `err`. */
  abort(err: UpstreamError): void {
    if (this.abortFn) this.abortFn(err);
    else this.abortReason ??= err;
  }

  /** Where the body goes from now on; whatever arrived meanwhile goes there first. */
  setSink(sink: BodySink): void {
    this.sink = sink;
    const waiting = this.waiting;
    this.waiting = null;
    if (waiting && !sink.data(waiting)) return; // the sink resumes when it can take more
    if (this.failure) return sink.error(this.failure);
    if (this.ended) return sink.end();
    this.resume();
  }

  resume(): void {
    if (!this.paused) return;
    this.paused = false;
    this.resumeFn?.();
  }

  onConnect(abort: (err?: Error) => void): void {
    if (this.abortReason) return abort(this.abortReason);
    this.abortFn = abort;
  }

  onHeaders(status: number, headers: Buffer[], resume: () => void): boolean {
    if (status < 200) return true; // 1xx: the real head follows
    this.status = status;
    this.rawHeaders = headers;
    this.resumeFn = resume;
    this.headed = true;
    // Without a sink yet, the body waits in the socket, not in memory.
    this.paused = this.sink === null;
    this.settle.resolve(this);
    return !this.paused;
  }

  onData(chunk: Buffer): boolean {
    if (this.sink) {
      if (this.sink.data(chunk)) return true;
    } else {
      this.waiting = this.waiting ? Buffer.concat([this.waiting, chunk]) : chunk;
    }
    this.paused = true;
    return false;
  }

  onComplete(): void {
    this.ended = true;
    this.sink?.end();
  }

  onError(err: Error): void {
    const error = classify(err);
    this.failure = error;
    if (!this.headed) this.settle.reject(error);
    this.sink?.error(error);
  }
}

export function send(dispatcher: Dispatcher, req: UpstreamRequest, closeAfter = false): UpstreamCall {
  const call = new UpstreamCall();
  dispatcher.dispatch({ path: req.path, method: req.method, headers: req.headers, body: req.body ?? null, reset: closeAfter }, call);
  return call;
}

/**
 * One request on a connection of its own, opened for it and closed after it: a retry that must not
 * meet another stale pooled connection, a health check (a pooled connection would hide a server
 * that no longer accepts new ones).
 */
export function sendOnFreshConnection(origin: string, req: UpstreamRequest): UpstreamCall {
  const client = new Client(origin, UPSTREAM_OPTIONS);
  const call = send(client, req, true);
  void client.close().catch(() => {}); // once its one request is done
  return call;
}

export type Collected = { complete: true; body: Buffer } | { complete: false; head: Buffer[] };

/**
 * Reads a body up to `limit` bytes. Longer ones stop early (paused, nothing lost): the caller
 * writes `head` and relays the rest, so a huge response is never held whole. Set before the head
 * arrives, the whole exchange runs without a pause. The promise may be dropped unread (a failed
 * attempt): it never raises an unhandled rejection.
 */
export function collect(call: UpstreamCall, limit: number): Promise<Collected> {
  const p = new Promise<Collected>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    call.setSink({
      data(c) {
        if (done) return false;
        chunks.push(c);
        size += c.length;
        if (size <= limit) return true;
        done = true;
        resolve({ complete: false, head: chunks });
        return false;
      },
      end() {
        if (done) return;
        done = true;
        resolve({ complete: true, body: chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size) });
      },
      error(err) {
        if (done) return;
        done = true;
        reject(err);
      },
    });
  });
  p.catch(() => {});
  return p;
}

/**
 * A small answer read whole, for the side requests (health checks, count_tokens): aborted with a
 * timeout after `timeoutMs`, and an answer over `limit` loses its connection instead of its rest
 * being read. Rejects as `collect` does.
 */
export async function collectWithin(call: UpstreamCall, limit: number, timeoutMs: number, why: string): Promise<Collected> {
  const reading = collect(call, limit);
  const timer = setTimeout(() => call.abort(new UpstreamError("timeout", why)), timeoutMs);
  try {
    return await reading;
  } finally {
    clearTimeout(timer);
    call.abort(new UpstreamError("reset", "answer too large")); // unread rest (a no-op once complete)
  }
}
