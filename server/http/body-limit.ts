/**
 * Bodies of `/api` requests are bounded: a declared Content-Length past the limit is refused before
 * a byte of the body is read, and a body without one (chunked) is cut as soon as it passes the
 * limit while it is read. Either way the answer is a 413 with a JSON error, and the connection is
 * closed rather than drained, so a flood of large bodies costs neither memory nor bandwidth.
 */
import type { Context, MiddlewareHandler } from "hono";
import { ServiceError } from "../core/errors";

/** Every REST body is a small JSON document; a route that needs more passes its own limit to readBody. */
export const DEFAULT_BODY_LIMIT = 1 << 20;

const tooLarge = (limit: number) =>
  new ServiceError("payload_too_large", `the request body is larger than ${limit} bytes: the API takes small JSON documents`);

/** Refuses a declared Content-Length over the limit, before anything reads the body. */
export function bodyLimit(limit = DEFAULT_BODY_LIMIT): MiddlewareHandler {
  return async (c, next) => {
    const declared = c.req.header("content-length");
    if (declared !== undefined && !(Number(declared) <= limit)) {
      c.header("connection", "close");
      throw tooLarge(limit);
    }
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
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      void reader.cancel().catch(() => {});
      c.header("connection", "close");
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
