/**
 * `fetch` to a server whose certificate is pinned (lib/tls-pin.ts): the same Request/Response
 * shapes, over `https.request` because the built-in fetch cannot be given a connection hook. Errors
 * come as fetch's do (`TypeError('fetch failed')` with the reason as `cause`).
 */
import https from "node:https";
import { Readable } from "node:stream";
import { pinnedConnection, type Fingerprint } from "./tls-pin";

const NULL_BODY_STATUSES = new Set([101, 204, 205, 304]);

export type FetchLike = (url: string, init?: RequestInit) => Promise<Response>;

export function pinnedFetch(pin: Fingerprint, server: string): FetchLike {
  const createConnection = pinnedConnection(pin, server);
  return (url, init = {}) => new Promise<Response>((resolve, reject) => {
    if (init.body !== undefined && init.body !== null && typeof init.body !== "string") {
      reject(new TypeError("pinnedFetch sends string bodies only"));
      return;
    }
    const headers = Object.fromEntries(new Headers(init.headers).entries());
    const req = https.request(url, { method: init.method ?? "GET", headers, createConnection, signal: init.signal ?? undefined }, (res) => {
      const responseHeaders = new Headers();
      for (const [name, value] of Object.entries(res.headers)) {
        for (const v of Array.isArray(value) ? value : value === undefined ? [] : [value]) responseHeaders.append(name, v);
      }
      const status = res.statusCode ?? 502;
      const body = NULL_BODY_STATUSES.has(status) ? (res.resume(), null) : (Readable.toWeb(res) as ReadableStream<Uint8Array>);
      resolve(new Response(body, { status, statusText: res.statusMessage, headers: responseHeaders }));
    });
    req.once("error", (err) => reject(err.name === "AbortError" ? err : new TypeError("fetch failed", { cause: err })));
    req.end(init.body ?? undefined);
  });
}
