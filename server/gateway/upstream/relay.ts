/**
 * Writing a backend's answer to the client once an attempt has committed. Same protocol: the
 * upstream's bytes as they came (error bodies too). Across protocols: through the protocol core's
 * translators. Streams move chunk by chunk with backpressure; nothing is held beyond one chunk.
 */
import type { ServerResponse } from "node:http";
import type { Relay } from "../exchange";
import { anthropicResponseToOpenAI } from "../protocol/openai-to-anthropic";
import { openAIResponseToAnthropic } from "../protocol/anthropic-to-openai";
import type { AnthropicMessageResponse } from "../protocol/anthropic-types";
import { anthropicStreamError, errorBodyFor, openAIStreamError, translateErrorBody, type Protocol } from "../protocol/errors";
import type { OpenAIChatCompletion } from "../protocol/openai-types";
import { AnthropicSseToOpenAISse, OpenAISseToAnthropicSse } from "../protocol/sse-pipes";
import { UsageSniffer, addUsage, usageFromBody, type Tokens } from "../observe/usage";
import { appendAnsweredBy, type AnsweredBy } from "../observe/answered-by";
import { downstreamHeaders } from "./headers";
import { UpstreamError, type UpstreamCall } from "./send";
import { redactBody } from "./redact";

export interface RelayContext {
  client: ServerResponse;
  clientProtocol: Protocol;
  backendProtocol: Protocol;
  relay: Relay;
  secrets: readonly string[];
  tokens: Tokens;
  /** Who answered (the request's record), for the x-switchyard-* headers of the committed answer. */
  answeredBy: AnsweredBy;
  /** The backend sent something (liveness for the health monitor). */
  onActivity(): void;
}

const SSE_HEADERS = ["content-type", "text/event-stream; charset=utf-8", "cache-control", "no-cache", "x-accel-buffering", "no"];

/** `extra`: more headers, flat ([name, value, …]); written after content-type, so they cannot replace it. */
export function writeJson(client: ServerResponse, status: number, value: unknown, extra: readonly string[] = []): void {
  const body = JSON.stringify(value);
  client.writeHead(status, ["content-type", "application/json", ...extra, "content-length", String(Buffer.byteLength(body))]);
  client.end(body);
}

export function writeError(client: ServerResponse, protocol: Protocol, status: number, message: string, extra: readonly string[] = []): void {
  if (client.headersSent) return heldOpen(client) ? endHeldStream(client, protocol, status, message, []) : void client.destroy();
  writeJson(client, status, errorBodyFor(protocol, status, message), extra);
}

/**
 * A stream whose head the gateway sent before any backend answered (kept alive with SSE comments
 * while its model loaded): still no event in it, so a failover can still fill it, and an error
 * becomes one error event instead of a status.
 */
export function heldOpen(client: ServerResponse): boolean {
  return held.has(client);
}

const held = new WeakSet<ServerResponse>();

/** Sends the SSE head now (once) and a comment, which every SSE client skips. */
export function holdOpen(client: ServerResponse, comment: string): void {
  if (client.destroyed || client.writableEnded) return;
  if (!client.headersSent) {
    client.writeHead(200, SSE_HEADERS);
    held.add(client);
  }
  client.write(`: ${comment.replace(/[\r\n]+/g, " ")}\n\n`);
}

/** Ends a held-open stream with one error event in the client's protocol (`body`: an error body or a message). */
export function endHeldStream(client: ServerResponse, protocol: Protocol, status: number, body: unknown, secrets: readonly string[]): void {
  client.end(errorEvent(protocol, body, status, status, secrets));
}

/** One SSE error event in `protocol` (Anthropic's `event: error`; OpenAI's `data: {"error": …}`). */
function errorEvent(protocol: Protocol, payload: unknown, anthropicStatus: number, openAIStatus: number, secrets: readonly string[]): string {
  if (protocol === "anthropic") return `event: error\ndata: ${JSON.stringify(anthropicStreamError(payload, anthropicStatus, secrets))}\n\n`;
  return `data: ${JSON.stringify(openAIStreamError(payload, openAIStatus, secrets))}\n\n`;
}

/** A complete (non-streamed, or error) body from the backend. */
export function writeWhole(ctx: RelayContext, upstream: UpstreamCall, body: Buffer): void {
  const status = upstream.status;
  if (ctx.relay.kind === "raw") {
    const out = status >= 400 ? redactBody(body, ctx.secrets) : body;
    const headers = appendAnsweredBy(downstreamHeaders(upstream.rawHeaders), ctx.answeredBy);
    headers.push("content-length", String(out.length));
    ctx.client.writeHead(status, headers);
    ctx.client.end(out);
    countUsage(ctx, body); // after the answer is on its way: the log needs it, the client does not
    return;
  }
  const answeredBy = appendAnsweredBy([], ctx.answeredBy);
  if (status >= 400) {
    countUsage(ctx, body);
    return writeJson(ctx.client, status, translateErrorBody(body.toString("utf8"), status, ctx.clientProtocol, ctx.secrets), answeredBy);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString("utf8"));
  } catch {
    return writeError(ctx.client, ctx.clientProtocol, 502, "the backend answered with something that is not JSON", answeredBy);
  }
  // Parsed whole anyway: its usage is read from there, not scanned for in the bytes again.
  if (parsed && typeof parsed === "object") addUsage(ctx.tokens, ctx.backendProtocol, (parsed as { usage?: unknown }).usage);
  const out = ctx.relay.kind === "openai-to-anthropic"
    ? openAIResponseToAnthropic(parsed as OpenAIChatCompletion, { model: ctx.relay.model })
    : anthropicResponseToOpenAI(parsed as AnthropicMessageResponse, { model: ctx.relay.model });
  writeJson(ctx.client, status, out, answeredBy);
}

function countUsage(ctx: RelayContext, body: Buffer): void {
  const usage = usageFromBody(ctx.backendProtocol, body);
  ctx.tokens.input = usage.input;
  ctx.tokens.output = usage.output;
}

export type StreamEnd = { ok: true } | { ok: false; error: UpstreamError } | { ok: null; why: string };

/**
 * Relays a response whose first chunk (`head`, already read) committed it: a stream, or a
 * non-streamed body too large to hold. Resolves when the client's response is finished.
 */
export function relayRest(ctx: RelayContext, upstream: UpstreamCall, head: Buffer[], stream: boolean): Promise<StreamEnd> {
  const { client, relay } = ctx;
  const translate = relay.kind === "raw" ? null
    : relay.kind === "openai-to-anthropic" ? new OpenAISseToAnthropicSse({ model: relay.model, inputTokens: relay.inputTokens })
      : new AnthropicSseToOpenAISse({ model: relay.model, includeUsage: relay.includeUsage });
  const sniffer = stream ? new UsageSniffer(ctx.backendProtocol) : null;
  // The last two bytes written raw: an injected error event must start on an event boundary.
  let last = 0;
  let beforeLast = 0;
  // A head sent early (a stream held open while its model loaded) already said SSE.
  if (!client.headersSent) client.writeHead(upstream.status, appendAnsweredBy(translate ? SSE_HEADERS.slice() : downstreamHeaders(upstream.rawHeaders), ctx.answeredBy));
  const resume = () => upstream.resume();
  let wrote = false;

  /** false: the client is slow, the backend waits (resumed on drain). */
  const write = (chunk: Buffer): boolean => {
    ctx.onActivity();
    sniffer?.push(chunk);
    let ok: boolean;
    if (translate) {
      const text = translate.push(chunk);
      if (!text) return true;
      ok = client.write(text);
      wrote = true;
    } else {
      if (chunk.length > 0) {
        beforeLast = chunk.length >= 2 ? chunk[chunk.length - 2]! : last;
        last = chunk[chunk.length - 1]!;
      }
      ok = client.write(chunk);
      wrote = true;
    }
    if (!ok) client.once("drain", resume);
    return ok;
  };

  return new Promise<StreamEnd>((resolve) => {
    let settled = false;
    const finish = (end: StreamEnd) => {
      if (settled) return;
      settled = true;
      client.off("close", onClose);
      if (sniffer) Object.assign(ctx.tokens, sniffer.tokens);
      resolve(end);
    };
    const onClose = () => {
      if (client.writableFinished) return;
      upstream.abort(new UpstreamError("reset", "the client went away"));
      finish({ ok: null, why: "the client went away" });
    };
    client.once("close", onClose);
    for (const c of head) write(c);
    // The head goes out with the first chunk (one write, not two); alone when that chunk said nothing yet.
    if (!wrote) client.flushHeaders();
    upstream.setSink({
      data: (c) => !settled && write(c),
      end() {
        if (settled) return;
        if (translate) {
          const text = translate.end();
          client.end(text || undefined);
        } else client.end();
        finish({ ok: true });
      },
      error(error) {
        if (settled) return;
        if (!client.destroyed && !client.writableEnded) {
          if (!stream) client.destroy(); // a truncated JSON body: only a broken connection says so honestly
          else client.end(streamFailure(ctx, translate, String.fromCharCode(beforeLast, last).replace(/\0/g, ""), error.message));
        }
        finish({ ok: false, error });
      },
    });
  });
}

/** The client's stream ends with an error event in its own protocol (no [DONE]: it did not finish). */
function streamFailure(ctx: RelayContext, translate: OpenAISseToAnthropicSse | AnthropicSseToOpenAISse | null, tail: string, message: string): string {
  const payload = { error: { type: "overloaded_error", message: `the backend stopped mid-stream: ${message}` } };
  if (translate) return translate.fail(payload, 529);
  const sep = tail.endsWith("\n\n") || tail === "" ? "" : tail.endsWith("\n") ? "\n" : "\n\n";
  return sep + errorEvent(ctx.clientProtocol, payload, 529, 502, ctx.secrets);
}
