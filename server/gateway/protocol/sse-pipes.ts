/**
 * Upstream SSE bytes in, translated SSE text out: parser + JSON + stream translator + encoder in one
 * object, so the HTTP adapter only moves bytes. Each push returns what to write now ("" when the
 * chunk held no complete event). Nothing is buffered beyond the parser's partial line.
 */
import type { AnthropicStreamEvent } from "./anthropic-types";
import type { OpenAIChatChunk, OpenAIErrorBody } from "./openai-types";
import { SSE_DONE, SseParser, encodeSseJson, type SseEvent } from "../../../lib/sse";
import { AnthropicToOpenAIStream, type AnthropicToOpenAIStreamOptions } from "./stream-anthropic-to-openai";
import { OpenAIToAnthropicStream, type OpenAIToAnthropicStreamOptions } from "./stream-openai-to-anthropic";
import type { TokenCounts } from "./usage";

/** What a pipe needs from a translator: the two stream translators share this shape. */
interface Translator<In, Out> {
  readonly done: boolean;
  readonly tokens: TokenCounts | null;
  push(item: In): Out[];
  end(): Out[];
  error(payload: unknown, status?: number | null): Out[];
}

const MALFORMED = { error: { message: "the upstream sent malformed stream data", type: "api_error" } };

abstract class SsePipe<In, Out> {
  private readonly parser = new SseParser((e) => this.onEvent(e));
  private out = "";
  private endedInError = false;
  private trailerSent = false;

  protected constructor(protected readonly translator: Translator<In, Out>) {}

  get done(): boolean {
    return this.translator.done;
  }

  /**
   * An error ended the stream. If nothing had been written to the client yet (the upstream's first
   * event was its error), the adapter may still fail over to the next target.
   */
  get failed(): boolean {
    return this.endedInError;
  }

  /** Token counts the upstream reported so far (for the request log). */
  get tokens(): TokenCounts | null {
    return this.translator.tokens;
  }

  push(chunk: string | Uint8Array): string {
    if (!this.translator.done) this.parser.push(chunk);
    return this.take();
  }

  /** The upstream closed its end. */
  end(): string {
    if (!this.translator.done) {
      this.parser.end();
      this.write(this.translator.end());
    }
    return this.take();
  }

  /** The adapter saw the upstream fail (reset, timeout): ends the client's stream with an error event. */
  fail(payload: unknown, status: number | null = null): string {
    this.raise(payload, status);
    return this.take();
  }

  protected abstract encode(item: Out): string;
  /** Written once after a normal end (OpenAI's `data: [DONE]`). */
  protected abstract trailer(): string;
  protected abstract isError(event: SseEvent, value: Record<string, unknown>): boolean;

  private onEvent(e: SseEvent): void {
    if (this.translator.done) return;
    if (e.data === "[DONE]") {
      this.write(this.translator.end());
      return;
    }
    let value: unknown;
    try {
      value = JSON.parse(e.data);
    } catch {
      this.raise(MALFORMED, null);
      return;
    }
    if (typeof value !== "object" || value === null) return; // nothing a translator could use
    if (this.isError(e, value as Record<string, unknown>)) this.raise(value, null);
    else this.write(this.translator.push(value as In));
  }

  private raise(payload: unknown, status: number | null): void {
    if (!this.translator.done) this.endedInError = true; // an error ends the stream without the terminator
    this.write(this.translator.error(payload, status));
  }

  private write(items: Out[]): void {
    for (const item of items) this.out += this.encode(item);
    if (this.translator.done && !this.endedInError && !this.trailerSent) {
      this.trailerSent = true;
      this.out += this.trailer();
    }
  }

  private take(): string {
    const s = this.out;
    this.out = "";
    return s;
  }
}

/** An OpenAI-compatible backend streaming to an Anthropic client. */
export class OpenAISseToAnthropicSse extends SsePipe<OpenAIChatChunk, AnthropicStreamEvent> {
  constructor(opts: OpenAIToAnthropicStreamOptions = {}) {
    super(new OpenAIToAnthropicStream(opts));
  }
  protected encode(event: AnthropicStreamEvent): string {
    return encodeSseJson(event, event.type);
  }
  protected trailer(): string {
    return "";
  }
  protected isError(e: SseEvent, value: Record<string, unknown>): boolean {
    // OpenAI, vLLM and llama.cpp report mid-stream failures as `data: {"error": …}`.
    return e.event === "error" || (value.error != null && value.choices === undefined);
  }
}

/** An Anthropic backend streaming to an OpenAI client. */
export class AnthropicSseToOpenAISse extends SsePipe<AnthropicStreamEvent, OpenAIChatChunk | OpenAIErrorBody> {
  constructor(opts: AnthropicToOpenAIStreamOptions = {}) {
    super(new AnthropicToOpenAIStream(opts));
  }
  protected encode(item: OpenAIChatChunk | OpenAIErrorBody): string {
    return encodeSseJson(item);
  }
  protected trailer(): string {
    return SSE_DONE;
  }
  protected isError(e: SseEvent, value: Record<string, unknown>): boolean {
    return e.event === "error" || value.type === "error";
  }
}
