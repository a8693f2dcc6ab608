/**
 * One HTTP request to a backend, resolved when its response headers arrive. Errors come back
 * classified for the breaker: a refused connection is a dead backend, a reset or timeout a sick one.
 */
import http, { type IncomingMessage, type OutgoingHttpHeaders } from "node:http";
import https from "node:https";
import type { FailureKind } from "../health/breaker";
import type { UpstreamTarget } from "./pool";

export class UpstreamError extends Error {
  constructor(readonly kind: FailureKind, message: string) {
    super(message);
    this.name = "UpstreamError";
  }
}

export interface SendOptions {
  /** Base URL, used when `target` is absent. */
  url: string;
  path: string;
  target?: UpstreamTarget;
  method: "GET" | "POST";
  headers: OutgoingHttpHeaders;
  body?: Buffer;
  agent: http.Agent | false;
}

export interface Sent {
  request: http.ClientRequest;
  response: Promise<IncomingMessage>;
}

export function classify(err: NodeJS.ErrnoException): UpstreamError {
  if (err instanceof UpstreamError) return err;
  switch (err.code) {
    case "ECONNREFUSED":
    case "ENOTFOUND":
    case "EAI_AGAIN":
    case "EHOSTUNREACH":
    case "ENETUNREACH":
      return new UpstreamError("connect", `connection failed (${err.code})`);
    case "ETIMEDOUT":
      return new UpstreamError("timeout", "timed out");
    default:
      return new UpstreamError("reset", err.code ? `connection lost (${err.code})` : err.message || "connection lost");
  }
}

export function send(opts: SendOptions): Sent {
  const headers = opts.body ? { ...opts.headers, "content-length": opts.body.length } : opts.headers;
  const request = opts.target
    // Pre-parsed (the proxy's hot path): no URL parsing per request.
    ? (opts.target.secure ? https : http).request({ hostname: opts.target.hostname, port: opts.target.port, path: opts.target.base + opts.path, method: opts.method, headers, agent: opts.target.agent })
    : (opts.url.startsWith("https:") ? https : http).request(opts.url + opts.path, { method: opts.method, headers, agent: opts.agent });
  const response = new Promise<IncomingMessage>((resolve, reject) => {
    request.once("response", resolve);
    request.once("error", (err) => reject(classify(err)));
  });
  // The attempt may be abandoned (failover, client gone) before anyone awaits the promise.
  response.catch(() => {});
  request.end(opts.body);
  return { request, response };
}

export type Collected = { complete: true; body: Buffer } | { complete: false; head: Buffer[] };

/**
 * Reads a body up to `limit` bytes. Longer ones stop early (paused, nothing lost): the caller
 * writes `head` and pipes the rest, so a huge response is never held whole.
 */
export function collect(res: IncomingMessage, limit: number): Promise<Collected> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const cleanup = () => {
      res.off("data", onData);
      res.off("end", onEnd);
      res.off("error", onError);
      res.off("aborted", onAborted);
    };
    const onData = (c: Buffer) => {
      chunks.push(c);
      size += c.length;
      if (size > limit) {
        cleanup();
        res.pause();
        resolve({ complete: false, head: chunks });
      }
    };
    const onEnd = () => {
      cleanup();
      resolve({ complete: true, body: chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size) });
    };
    const onError = (err: Error) => {
      cleanup();
      reject(classify(err));
    };
    const onAborted = () => {
      cleanup();
      reject(new UpstreamError("reset", "the backend closed the connection mid-response"));
    };
    res.on("data", onData);
    res.on("end", onEnd);
    res.on("error", onError);
    res.on("aborted", onAborted);
  });
}
