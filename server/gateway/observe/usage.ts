/**
 * Token counts for the request log and key usage, read from what the backend sent in its own
 * protocol: a JSON body's `usage`, or the usage-bearing events of a stream. The stream sniffer
 * only parses events whose text mentions "usage", so pass-through streams stay cheap.
 */
import type { Protocol } from "../protocol/errors";
import { SseParser } from "../../../lib/sse";
import { valueEnd } from "../body-fields";

export interface Tokens {
  input: number | null;
  output: number | null;
}

type Json = Record<string, unknown>;

const n = (v: unknown): number | null => (typeof v === "number" && Number.isFinite(v) ? v : null);

/** Folds one usage object into the tally (later reports win, as streams repeat totals). */
export function addUsage(t: Tokens, protocol: Protocol, usage: unknown): void {
  if (!usage || typeof usage !== "object") return;
  const u = usage as Json;
  if (protocol === "openai") {
    t.input = n(u.prompt_tokens) ?? t.input;
    t.output = n(u.completion_tokens) ?? t.output;
    return;
  }
  const input = n(u.input_tokens);
  if (input !== null) t.input = input + (n(u.cache_read_input_tokens) ?? 0) + (n(u.cache_creation_input_tokens) ?? 0);
  t.output = n(u.output_tokens) ?? t.output;
}

const USAGE_KEY = Buffer.from('"usage"');

/**
 * Usage from a whole JSON response. Both protocols put `usage` last, so only that object is parsed
 * (from its last occurrence), not the whole body: this runs on every pass-through response.
 */
export function usageFromBody(protocol: Protocol, body: Buffer): Tokens {
  const t: Tokens = { input: null, output: null };
  const at = body.lastIndexOf(USAGE_KEY);
  if (at === -1) return t;
  let i = at + USAGE_KEY.length;
  while (i < body.length && body[i] !== 0x3a) i++; // ':'
  i++;
  while (i < body.length && (body[i] === 0x20 || body[i] === 0x0a || body[i] === 0x0d || body[i] === 0x09)) i++;
  const end = valueEnd(body, i);
  if (end < 0) return t;
  try {
    addUsage(t, protocol, JSON.parse(body.toString("utf8", i, end)));
  } catch {
    // not JSON: no counts
  }
  return t;
}

const EVENT_END = Buffer.from("\n\n");
const endsEvent = (b: Buffer) => b.length >= 2 && b[b.length - 1] === 0x0a && b[b.length - 2] === 0x0a;

export class UsageSniffer {
  readonly tokens: Tokens = { input: null, output: null };
  private readonly parser: SseParser;
  /** What was fed to the parser ended an event: it holds nothing that the next chunk continues. */
  private atBoundary = true;

  constructor(private readonly protocol: Protocol) {
    this.parser = new SseParser((e) => {
      if (e.data.indexOf('"usage"') === -1) return;
      try {
        const v = JSON.parse(e.data) as Json;
        // Anthropic: message_start carries {message:{usage}}, message_delta carries {usage}.
        const message = v.message as Json | undefined;
        addUsage(this.tokens, this.protocol, v.usage ?? message?.usage);
      } catch {
        // a malformed event is the client's to see, not ours to count
      }
    });
  }

  /**
   * Most chunks are whole events without usage (one token each): they are not parsed at all, only
   * searched for the word. What may hold usage, and any event open across chunks, is parsed.
   */
  push(chunk: Buffer): void {
    if (this.atBoundary && chunk.indexOf(USAGE_KEY) === -1) {
      if (endsEvent(chunk)) return;
      const cut = chunk.lastIndexOf(EVENT_END);
      // Whole events (none with usage) up to the last blank line; the open one after it is parsed.
      chunk = cut === -1 ? chunk : chunk.subarray(cut + 2);
    }
    this.parser.push(chunk);
    this.atBoundary = endsEvent(chunk);
  }
}
