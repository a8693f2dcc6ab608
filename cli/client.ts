/**
 * The CLI's way to the server: `SWITCHYARD_URL` (default http://127.0.0.1:3000) with the admin
 * token from `SWITCHYARD_TOKEN`; `SWITCHYARD_FINGERPRINT` pins an https:// server's own certificate.
 * Failures become CliError with a message a person can act on.
 */
import { pinnedFetch, type FetchLike } from "../lib/pinned-fetch";
import { explainUntrustedServer, parseFingerprint, TlsPinError } from "../lib/tls-pin";

export class CliError extends Error {
  constructor(message: string, readonly exitCode = 1) {
    super(message);
  }
}

export interface ApiClient {
  baseUrl: string;
  get<T>(path: string): Promise<T>;
  send<T>(method: "POST" | "PUT" | "DELETE", path: string, body?: unknown): Promise<T>;
  /** The response itself (already checked: ok, authorized), for text and streams. */
  raw(path: string, init?: { signal?: AbortSignal; accept?: string }): Promise<Response>;
  /** The transport itself (pinned when SWITCHYARD_FINGERPRINT is set), for requests without the token. */
  fetch: FetchLike;
}

function transport(env: NodeJS.ProcessEnv, baseUrl: string): FetchLike {
  if (!env.SWITCHYARD_FINGERPRINT) return (url, init) => fetch(url, init);
  if (!baseUrl.startsWith("https:")) throw new CliError(`SWITCHYARD_FINGERPRINT pins a TLS certificate, but SWITCHYARD_URL (${baseUrl}) is not https://`, 2);
  try {
    return pinnedFetch(parseFingerprint(env.SWITCHYARD_FINGERPRINT), baseUrl);
  } catch (err) {
    throw new CliError(`SWITCHYARD_FINGERPRINT: ${(err as Error).message}`, 2);
  }
}

/** Why a request did not reach the server, in words a person can act on. */
export function unreachableReason(err: unknown, baseUrl: string): string {
  const cause = (err as Error & { cause?: Error }).cause;
  if (cause instanceof TlsPinError) return cause.message;
  return explainUntrustedServer(err, baseUrl, "SWITCHYARD_FINGERPRINT=sha256:…")
    ?? `cannot reach the Switchyard server at ${baseUrl} (${cause?.message ?? (err as Error).message}): is it running? Set SWITCHYARD_URL if it is elsewhere.`;
}

/** The server's `{"error":{"message"}}` (or the raw text) as the error a person reads. */
function failure(status: number, text: string): CliError {
  let message = text.slice(0, 300);
  try {
    message = (JSON.parse(text) as { error?: { message?: string } } | null)?.error?.message ?? message;
  } catch { /* not JSON: keep the text */ }
  if (status === 401) return new CliError(`the server refused the token (401): ${message}. Check SWITCHYARD_TOKEN.`);
  return new CliError(`${message} (HTTP ${status})`);
}

export function apiClient(env: NodeJS.ProcessEnv = process.env): ApiClient {
  const baseUrl = (env.SWITCHYARD_URL || "http://127.0.0.1:3000").replace(/\/+$/, "");
  const token = env.SWITCHYARD_TOKEN;
  const send = transport(env, baseUrl);

  const open = async (method: string, path: string, body?: unknown, extra: { signal?: AbortSignal; accept?: string } = {}): Promise<Response> => {
    if (!token) throw new CliError("SWITCHYARD_TOKEN is not set: export SWITCHYARD_TOKEN=<the admin token printed at the server's first start>", 2);
    try {
      return await send(`${baseUrl}${path}`, {
        method,
        signal: extra.signal,
        headers: {
          authorization: `Bearer ${token}`,
          ...(body === undefined ? {} : { "content-type": "application/json" }),
          ...(extra.accept ? { accept: extra.accept } : {}),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (err) {
      if ((err as Error).name === "AbortError") throw err;
      throw new CliError(unreachableReason(err, baseUrl));
    }
  };

  const request = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const res = await open(method, path, body);
    const text = await res.text();
    if (!res.ok) throw failure(res.status, text);
    try {
      return (text ? JSON.parse(text) : null) as T;
    } catch {
      throw new CliError(`the server at ${baseUrl} answered ${path} with something that is not JSON: is SWITCHYARD_URL right?`);
    }
  };

  return {
    baseUrl,
    get: (path) => request("GET", path),
    async raw(path, init = {}) {
      const res = await open("GET", path, undefined, init);
      if (res.ok) return res;
      throw failure(res.status, await res.text());
    },
    send: (method, path, body) => request(method, path, body),
    fetch: send,
  };
}
