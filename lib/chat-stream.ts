/**
 * An OpenAI chat-completion stream as its client sees it: the text as it grows, when the first and
 * the last token arrived, usage, the engine's own timing where it sends one, errors. One reader for
 * the playground (in the browser) and the benchmarks (on the server), so both measure the same way.
 */
import { SseParser, type SseEvent } from "./sse";

export interface ChatStreamResult {
  text: string;
  /** reasoning_content (thinking models), kept apart from the answer. */
  reasoning: string;
  /** Clock times (the reader's `now`) of the first and last chunk that carried a token. */
  firstTokenAt: number | null;
  lastTokenAt: number | null;
  /** Chunks that carried content; a stand-in for the token count when the backend sends no usage. */
  contentChunks: number;
  promptTokens: number | null;
  completionTokens: number | null;
  /** llama.cpp's `timings.predicted_per_second` from its last chunk. */
  engineTokensPerSec: number | null;
  finishReason: string | null;
  /** An error event in the stream (the backend, or the gateway, gave up mid-way). */
  error: string | null;
  /** `data: [DONE]` arrived. */
  done: boolean;
}

/** What goes out of the token count's way (role-only deltas, usage chunks) is no token. */
interface Chunk {
  choices?: Array<{ delta?: { content?: unknown; reasoning_content?: unknown; tool_calls?: unknown }; finish_reason?: unknown }>;
  usage?: { prompt_tokens?: unknown; completion_tokens?: unknown } | null;
  timings?: { predicted_per_second?: unknown } | null;
  error?: { message?: unknown } | string;
}

const num = (v: unknown): number | null => (typeof v === "number" && Number.isFinite(v) ? v : null);

export class ChatStreamReader {
  private readonly parser = new SseParser((e) => this.onEvent(e));
  private readonly r: ChatStreamResult = {
    text: "", reasoning: "", firstTokenAt: null, lastTokenAt: null, contentChunks: 0, promptTokens: null, completionTokens: null,
    engineTokensPerSec: null, finishReason: null, error: null, done: false,
  };
  /** Every event of one network chunk arrived at the same moment. */
  private at = 0;

  constructor(
    private readonly now: () => number,
    /** Called with each piece of answer text as it arrives (the playground renders it). */
    private readonly onText?: (piece: string, kind: "content" | "reasoning") => void,
  ) {}

  push(chunk: Uint8Array | string): void {
    this.at = this.now();
    this.parser.push(chunk);
  }

  end(): ChatStreamResult {
    this.at = this.now();
    this.parser.end();
    return this.r;
  }

  result(): ChatStreamResult {
    return this.r;
  }

  private onEvent(e: SseEvent): void {
    if (e.data === "[DONE]") {
      this.r.done = true;
      return;
    }
    let chunk: Chunk;
    try {
      chunk = JSON.parse(e.data) as Chunk;
    } catch {
      return; // a keep-alive or a line some proxy added
    }
    if (typeof chunk !== "object" || chunk === null) return;
    if (chunk.error !== undefined || e.event === "error") {
      const m = typeof chunk.error === "string" ? chunk.error : chunk.error?.message;
      this.r.error = typeof m === "string" && m ? m : "the stream ended with an error";
      return;
    }
    const choice = Array.isArray(chunk.choices) ? chunk.choices[0] : undefined;
    const delta = choice?.delta;
    let token = false;
    if (typeof delta?.content === "string" && delta.content !== "") {
      this.r.text += delta.content;
      this.onText?.(delta.content, "content");
      token = true;
    }
    if (typeof delta?.reasoning_content === "string" && delta.reasoning_content !== "") {
      this.r.reasoning += delta.reasoning_content;
      this.onText?.(delta.reasoning_content, "reasoning");
      token = true;
    }
    if (Array.isArray(delta?.tool_calls) && delta.tool_calls.length > 0) token = true;
    if (token) {
      this.r.contentChunks++;
      this.r.firstTokenAt ??= this.at;
      this.r.lastTokenAt = this.at;
    }
    if (typeof choice?.finish_reason === "string") this.r.finishReason = choice.finish_reason;
    if (chunk.usage) {
      this.r.promptTokens = num(chunk.usage.prompt_tokens) ?? this.r.promptTokens;
      this.r.completionTokens = num(chunk.usage.completion_tokens) ?? this.r.completionTokens;
    }
    if (chunk.timings) this.r.engineTokensPerSec = num(chunk.timings.predicted_per_second) ?? this.r.engineTokensPerSec;
  }
}

/** Output tokens: as the backend counted them, else the chunks that carried some. */
export function outputTokens(r: Pick<ChatStreamResult, "completionTokens" | "contentChunks">): number {
  return r.completionTokens ?? r.contentChunks;
}

/**
 * Decode speed as a client sees it: (output tokens − 1) / (last token time − first token time).
 * The first token is left out because its time is the prompt's (time to first token); null when
 * there is no interval to divide by.
 */
export function decodeTokensPerSec(tokens: number, firstAt: number | null, lastAt: number | null): number | null {
  if (tokens < 2 || firstAt === null || lastAt === null || lastAt <= firstAt) return null;
  return (tokens - 1) / ((lastAt - firstAt) / 1000);
}
