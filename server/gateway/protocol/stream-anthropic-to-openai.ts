/**
 * Anthropic Messages stream events → OpenAI chat.completion.chunk objects, one event at a time:
 * a role chunk first, content / reasoning_content / tool_calls deltas (index, id and name in a tool's
 * first chunk, then argument pieces), a finish_reason chunk, and — when the client asked for
 * stream_options.include_usage — a trailing usage chunk with no choices. `data: [DONE]` is the
 * encoder's business (sse-pipes.ts).
 */
import type { AnthropicStreamEvent, AnthropicUsage } from "./anthropic-types";
import { openAIStreamError } from "./errors";
import { newId } from "./ids";
import type { OpenAIChatChunk, OpenAIChunkDelta, OpenAIErrorBody, OpenAIFinishReason } from "./openai-types";
import { toOpenAIFinishReason } from "./stop-reasons";
import { countsFromAnthropic, toOpenAIUsage, type TokenCounts } from "./usage";

export interface AnthropicToOpenAIStreamOptions {
  /** The model name the client should see; defaults to the upstream's. */
  model?: string;
  /** The client's stream_options.include_usage. */
  includeUsage?: boolean;
  now?: () => number;
}

interface ToolSlot {
  /** The OpenAI tool_calls index. */
  index: number;
  /** Input a server put in content_block_start instead of streaming it (some Anthropic-compatible engines do). */
  startInput: string;
  streamed: boolean;
}

export class AnthropicToOpenAIStream {
  private id = "";
  private model: string;
  private readonly created: number;
  private started = false;
  private finished = false;
  private finishSent = false;
  private sawToolUse = false;
  /** Anthropic block index → tool slot; text and thinking blocks need no bookkeeping. */
  private readonly tools = new Map<number, ToolSlot>();
  private usage: Partial<AnthropicUsage> = {};

  constructor(private readonly opts: AnthropicToOpenAIStreamOptions = {}) {
    this.model = opts.model ?? "";
    this.created = Math.floor((opts.now ?? Date.now)() / 1000);
  }

  get done(): boolean {
    return this.finished;
  }

  /** What the upstream reported, for the request log; null until message_start. */
  get tokens(): TokenCounts | null {
    return this.started ? countsFromAnthropic(this.usage) : null;
  }

  /** Events of types this gateway does not know are skipped, as Anthropic's own SDKs do. */
  push(event: AnthropicStreamEvent): Array<OpenAIChatChunk | OpenAIErrorBody> {
    const out: Array<OpenAIChatChunk | OpenAIErrorBody> = [];
    if (this.finished) return out;
    switch (event.type) {
      case "message_start": {
        const m = event.message;
        this.id = m?.id ? `chatcmpl-${m.id}` : newId("chatcmpl-");
        if (!this.opts.model && m?.model) this.model = m.model;
        if (m?.usage) Object.assign(this.usage, stripNulls(m.usage));
        this.begin(out);
        break;
      }
      case "content_block_start": {
        this.begin(out);
        const block = event.content_block;
        // Anthropic opens text and thinking blocks empty; servers that put content here are not lost.
        if (block?.type === "text" && block.text) out.push(this.chunk({ content: block.text }));
        if (block?.type === "thinking" && block.thinking) out.push(this.chunk({ reasoning_content: block.thinking }));
        if (block?.type !== "tool_use") break;
        const slot: ToolSlot = { index: this.tools.size, startInput: "", streamed: false };
        if (block.input && Object.keys(block.input).length > 0) slot.startInput = JSON.stringify(block.input);
        this.tools.set(event.index, slot);
        this.sawToolUse = true;
        out.push(this.chunk({ tool_calls: [{ index: slot.index, id: block.id, type: "function", function: { name: block.name, arguments: "" } }] }));
        break;
      }
      case "content_block_delta": {
        this.begin(out);
        const d = event.delta;
        if (d?.type === "text_delta") out.push(this.chunk({ content: d.text }));
        else if (d?.type === "thinking_delta") out.push(this.chunk({ reasoning_content: d.thinking }));
        else if (d?.type === "input_json_delta") {
          const slot = this.tools.get(event.index);
          if (slot && d.partial_json) {
            slot.streamed = true;
            out.push(this.chunk({ tool_calls: [{ index: slot.index, function: { arguments: d.partial_json } }] }));
          }
        }
        break; // signature_delta, citations_delta: nothing in OpenAI's vocabulary
      }
      case "content_block_stop": {
        const slot = this.tools.get(event.index);
        if (slot && !slot.streamed && slot.startInput) out.push(this.chunk({ tool_calls: [{ index: slot.index, function: { arguments: slot.startInput } }] }));
        break;
      }
      case "message_delta":
        if (event.usage) Object.assign(this.usage, stripNulls(event.usage));
        this.sendFinish(toOpenAIFinishReason(event.delta?.stop_reason), out);
        break;
      case "message_stop":
        this.complete(out);
        break;
      case "error":
        return this.error(event);
    }
    return out;
  }

  /** The upstream ended without message_stop: close the stream as a normal end of turn. */
  end(): Array<OpenAIChatChunk | OpenAIErrorBody> {
    const out: Array<OpenAIChatChunk | OpenAIErrorBody> = [];
    if (!this.finished) this.complete(out);
    return out;
  }

  error(payload: unknown, status: number | null = null): OpenAIErrorBody[] {
    if (this.finished) return [];
    this.finished = true;
    return [openAIStreamError(payload, status)];
  }

  private begin(out: Array<OpenAIChatChunk | OpenAIErrorBody>): void {
    if (this.started) return;
    this.started = true;
    if (!this.id) this.id = newId("chatcmpl-");
    out.push(this.chunk({ role: "assistant", content: "" }));
  }

  private sendFinish(reason: OpenAIFinishReason, out: Array<OpenAIChatChunk | OpenAIErrorBody>): void {
    if (this.finishSent) return;
    this.finishSent = true;
    this.begin(out);
    out.push(this.chunk({}, reason === "stop" && this.sawToolUse ? "tool_calls" : reason));
  }

  private complete(out: Array<OpenAIChatChunk | OpenAIErrorBody>): void {
    this.sendFinish(this.sawToolUse ? "tool_calls" : "stop", out);
    if (this.opts.includeUsage) {
      out.push({ id: this.id, object: "chat.completion.chunk", created: this.created, model: this.model, choices: [], usage: toOpenAIUsage(this.usage) });
    }
    this.finished = true;
  }

  private chunk(delta: OpenAIChunkDelta, finish: OpenAIFinishReason | null = null): OpenAIChatChunk {
    return { id: this.id, object: "chat.completion.chunk", created: this.created, model: this.model, choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }] };
  }
}

/** message_delta usage omits (or nulls) counters that did not change; they must not erase earlier ones. */
function stripNulls(usage: Partial<AnthropicUsage>): Partial<AnthropicUsage> {
  const out: Partial<AnthropicUsage> = {};
  for (const [k, v] of Object.entries(usage)) if (typeof v === "number") (out as Record<string, number>)[k] = v;
  return out;
}
