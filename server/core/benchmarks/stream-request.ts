/**
 * One benchmark request to the server's own gateway, streamed, timed as a client times it (the
 * shared ChatStreamReader). Never throws: a refusal, a dropped stream or a timeout is a failed
 * sample with the reason.
 */
import { ChatStreamReader, outputTokens } from "../../../lib/chat-stream";
import type { FetchLike } from "../../../lib/pinned-fetch";
import type { RequestSample } from "./stats";

export interface StreamTarget {
  /** The gateway's base URL, e.g. http://127.0.0.1:3000. */
  url: string;
  /** The key the benchmark runs under (the request log shows its name). */
  key: string;
  /** How to reach it: the built-in fetch, or one pinned to the server's own certificate (HTTPS). */
  fetch?: FetchLike;
}

export interface ChatBody {
  model: string;
  prompt: string;
  maxTokens: number;
  ignoreEos: boolean;
}

/** A request that takes longer than this is counted failed rather than holding the level forever. */
const REQUEST_TIMEOUT_MS = 10 * 60_000;
const MAX_ERROR_CHARS = 300;

export async function streamChat(target: StreamTarget, body: ChatBody, signal: AbortSignal, now: () => number = () => performance.now()): Promise<RequestSample> {
  const startedAt = now();
  const fail = (error: string): RequestSample => ({
    ok: false, error: error.slice(0, MAX_ERROR_CHARS), startedAt, firstTokenAt: null, lastTokenAt: null, outputTokens: 0, promptTokens: null, engineTokensPerSec: null, backend: null,
  });
  const payload = {
    model: body.model,
    messages: [{ role: "user", content: body.prompt }],
    max_tokens: body.maxTokens,
    temperature: 0,
    stream: true,
    stream_options: { include_usage: true },
    ...(body.ignoreEos ? { ignore_eos: true } : {}),
  };
  let res: Response;
  try {
    res = await (target.fetch ?? fetch)(`${target.url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${target.key}`, accept: "text/event-stream" },
      body: JSON.stringify(payload),
      signal: AbortSignal.any([signal, AbortSignal.timeout(REQUEST_TIMEOUT_MS)]),
    });
  } catch (err) {
    return fail(`request failed: ${(err as Error).message}`);
  }
  const backend = headerText(res.headers.get("x-switchyard-backend"));
  if (!res.ok || !res.body) {
    const text = await res.text().catch(() => "");
    let message = text;
    try {
      message = (JSON.parse(text) as { error?: { message?: string } }).error?.message ?? text;
    } catch { /* not JSON */ }
    return { ...fail(`HTTP ${res.status}: ${message}`), backend };
  }
  const reader = new ChatStreamReader(now);
  try {
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) reader.push(chunk);
  } catch (err) {
    return { ...fail(`the stream broke: ${(err as Error).message}`), backend };
  }
  const r = reader.end();
  if (r.error) return { ...fail(r.error), backend };
  return {
    ok: true, error: null, startedAt, firstTokenAt: r.firstTokenAt, lastTokenAt: r.lastTokenAt, outputTokens: outputTokens(r),
    promptTokens: r.promptTokens, engineTokensPerSec: r.engineTokensPerSec, backend,
  };
}

/** The gateway percent-encodes names in its headers (they may hold any character). */
function headerText(value: string | null): string | null {
  if (value === null) return null;
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
