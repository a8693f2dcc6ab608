/**
 * Bodies of `/api` requests are bounded: a declared Content-Length past the limit is refused before
 * a byte of the body is read, and a body without one (chunked) is cut as soon as it passes the
 * limit while it is read. Either way the answer is a 413 with a JSON error, and the connection is
 * closed soon after rather than drained (http-server.ts), so a flood of large bodies costs neither
 * memory nor much bandwidth.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Context, MiddlewareHandler } from "hono";
import { ServiceError } from "../core/errors";

/** Every REST body is a small JSON document; a route that needs more passes its own limit to readBody. */
export const DEFAULT_BODY_LIMIT = 1 << 20;

function sizeText(limit: number): string {
  if (limit % (1 << 20) === 0) return `${limit / (1 << 20)} MiB (${limit} bytes)`;
  return limit % 1024 === 0 ? `${limit / 1024} KiB (${limit} bytes)` : `${limit} bytes`;
}
const tooLarge = (limit: number) =>
  new ServiceError("payload_too_large", `the request body is larger than ${sizeText(limit)}: the API takes small JSON documents`);

/** Refuses a declared Content-Length over the limit, before anything reads the body. */
export function bodyLimit(limit = DEFAULT_BODY_LIMIT): MiddlewareHandler {
  return async (c, next) => {
    const declared = c.req.header("content-length");
    if (declared !== undefined && !(Number(declared) <= limit)) throw tooLarge(limit);
    await next();
  };
}

/** The body, read up to `limit` bytes; past it the read stops and the answer is a 413. */
export async function readBody(c: Context, limit = DEFAULT_BODY_LIMIT): Promise<Uint8Array> {
  const stream = c.req.raw.body;
  if (!stream) return new Uint8Array(0);
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    let next: ReadableStreamReadResult<Uint8Array>;
    try {
      next = await reader.read();
    } catch {
      // Cut by the request timeout, or the client went away: nobody is left to answer, nothing to log.
      throw new ServiceError("bad_request", "the request body did not arrive whole");
    }
    const { done, value } = next;
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      void reader.cancel().catch(() => {});
      throw tooLarge(limit);
    }
    chunks.push(value);
  }
  const out = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.byteLength;
  }
  return out;
}

/** How long the rest of an unread body is taken in and thrown away before the connection is cut. */
const LINGER_MS = 1000;

/**
 * A response sent before its request's body was read (401, 413, 429) leaves the rest of that body
 * on the wire. Node would read all of it to keep the connection; closing at once would reset the
 * connection before the client read the answer. So the rest is discarded for a moment (the client
 * reads the answer meanwhile), then the connection is closed.
 */
export function closeUnreadBodies(req: IncomingMessage, res: ServerResponse): void {
  res.once("finish", () => {
    if (req.complete) return;
    const timer = setTimeout(() => req.socket.destroy(), LINGER_MS);
    timer.unref();
    req.once("end", () => clearTimeout(timer));
    req.socket.once("close", () => clearTimeout(timer));
  });
}
