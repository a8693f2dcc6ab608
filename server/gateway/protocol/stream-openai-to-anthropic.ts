/**
 * OpenAI chat.completion.chunk stream → Anthropic Messages stream events, one upstream chunk at a time.
 *
 * Anthropic content blocks are strictly sequential (start, deltas, stop, then the next), while OpenAI
 * interleaves freely: reasoning, text and several tool calls keyed by `index`, a tool's id and name
 * only in its first piece. Rule: the open block streams live; content for any other block waits in a
 * queue. A text or thinking block yields to waiting content at once; a tool block only once its
 * arguments have closed their JSON object (so a tool's pieces are never split across two blocks).
 * Anything still queued is flushed, in order, when the turn finishes.
 */
import type { AnthropicBlockDelta, AnthropicResponseBlock, AnthropicStreamEvent, AnthropicUsage } from "./anthropic-types";
import { anthropicStreamError } from "./errors";
import { anthropicToolId, newId } from "./ids";
import { JsonCompletion } from "./json-completion";
import type { OpenAIChatChunk, OpenAIToolCallDelta, OpenAIUsage } from "./openai-types";
import { toAnthropicStop } from "./stop-reasons";
import { SYNTHETIC_THINKING_SIGNATURE } from "./unsigned-thinking";
import { countsFromOpenAI, toAnthropicUsage, type TokenCounts } from "./usage";

export interface OpenAIToAnthropicStreamOptions {
  /** The model name the client should see; defaults to the upstream's. */
  model?: string;
  /**
   * input_tokens for message_start, before the upstream has said (OpenAI reports usage last). Claude
   * Code breaks without the field; pass an estimate (count-tokens.ts). The real count follows in message_delta.
   */
  inputTokens?: number;
  messageId?: string;
}

type Kind = "text" | "thinking" | "tool";
const QUEUED = 0;
const OPEN = 1;
const CLOSED = 2;

interface Block {
  kind: Kind;
  state: typeof QUEUED | typeof OPEN | typeof CLOSED;
  /** Anthropic content index, assigned when the block starts. */
  index: number;
  /** Content received while the block waited in the queue. */
  pending: string;
  id: string;
  name: string;
  json: JsonCompletion | null;
}

export class OpenAIToAnthropicStream {
  private started = false;
  private finished = false;
  private open: Block | null = null;
  private readonly queue: Block[] = [];
  private readonly tools = new Map<number, Block>();
  private lastToolIndex = -1;
  private nextIndex = 0;
  private sawToolUse = false;
  private finish: string | null = null;
  private matchedStop: unknown = null;
  private usage: OpenAIUsage | null = null;

  constructor(private readonly opts: OpenAIToAnthropicStreamOptions = {}) {}

  /** True once message_stop or an error event has been produced: nothing more will follow. */
  get done(): boolean {
    return this.finished;
  }

  /** What the upstream reported, for the request log; null until it reports usage. */
  get tokens(): TokenCounts | null {
    return this.usage ? countsFromOpenAI(this.usage) : null;
  }

  push(chunk: OpenAIChatChunk): AnthropicStreamEvent[] {
    const out: AnthropicStreamEvent[] = [];
    if (this.finished) return out;
    if (!this.started) this.start(chunk, out);
    const choice = chunk.choices?.[0];
    if (choice) {
      const d = choice.delta;
      if (d) {
        const reasoning = d.reasoning_content ?? d.reasoning;
        if (reasoning) this.content("thinking", reasoning, out);
        if (d.content) this.content("text", d.content, out);
        if (d.refusal) this.content("text", d.refusal, out);
        if (d.tool_calls) for (const call of d.tool_calls) this.toolDelta(call, out);
      }
      if (choice.finish_reason) {
        this.finish = choice.finish_reason;
        this.matchedStop = choice.stop_reason;
        this.flushAll(out);
      }
    }
    if (chunk.usage) this.usage = chunk.usage;
    // Usage normally trails the finish_reason chunk; message_delta must carry it, so it waits for both.
    if (this.finish !== null && this.usage !== null) this.complete(out);
    return out;
  }

  /** The upstream stream ended ([DONE] or EOF), with or without finish_reason and usage. */
  end(): AnthropicStreamEvent[] {
    const out: AnthropicStreamEvent[] = [];
    if (this.finished) return out;
    if (!this.started) this.start(null, out);
    this.complete(out);
    return out;
  }

  /** The upstream failed after the first byte went out: an error event ends the stream. */
  error(payload: unknown, status: number | null = null): AnthropicStreamEvent[] {
    if (this.finished) return [];
    this.finished = true;
    return [anthropicStreamError(payload, status)];
  }

  private start(chunk: OpenAIChatChunk | null, out: AnthropicStreamEvent[]): void {
    this.started = true;
    const input = chunk?.usage ? toAnthropicUsage(chunk.usage) : null;
    out.push({
      type: "message_start",
      message: {
        id: this.opts.messageId ?? (chunk?.id ? `msg_${chunk.id}` : newId("msg_")),
        type: "message",
        role: "assistant",
        model: this.opts.model ?? chunk?.model ?? "",
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: {
          input_tokens: input?.input_tokens ?? this.opts.inputTokens ?? 0,
          output_tokens: 0,
          cache_creation_input_tokens: 0,
          cache_read_input_tokens: input?.cache_read_input_tokens ?? 0,
        },
      },
    });
  }

  private content(kind: "text" | "thinking", text: string, out: AnthropicStreamEvent[]): void {
    const open = this.open;
    if (open !== null && open.kind === kind) {
      out.push(delta(open, text));
      return;
    }
    const last = this.queue[this.queue.length - 1];
    if (last !== undefined && last.kind === kind) last.pending += text;
    else this.queue.push(newBlock(kind, text));
    this.drain(out);
  }

  private toolDelta(call: OpenAIToolCallDelta, out: AnthropicStreamEvent[]): void {
    // Some engines omit `index`: a new id means a new call, otherwise it continues the last one.
    const key = call.index ?? (call.id || this.lastToolIndex < 0 ? this.tools.size : this.lastToolIndex);
    this.lastToolIndex = key;
    let block = this.tools.get(key);
    // A new id under a used index is a new call: some servers send every call as index 0.
    if (block === undefined || (call.id && block.id && call.id !== block.id)) {
      block = newBlock("tool", "");
      this.tools.set(key, block);
      this.queue.push(block);
    }
    if (call.id && !block.id) block.id = call.id;
    const fn = call.function;
    if (fn?.name && !block.name) block.name = fn.name;
    const args = fn?.arguments;
    if (args) {
      block.json!.feed(args);
      if (block.state === OPEN) out.push(delta(block, args));
      else if (block.state === QUEUED) block.pending += args;
      // CLOSED: pieces after the block's object closed and another block began (a model repeating
      // itself) cannot be delivered without corrupting the input the client already has.
    }
    this.drain(out);
  }

  /** Starts queued blocks while the open one may yield and the next one can start. */
  private drain(out: AnthropicStreamEvent[]): void {
    while (this.queue.length > 0) {
      const head = this.queue[0]!;
      if (head.kind === "tool" && !head.name) return; // content_block_start needs the tool's name
      const open = this.open;
      if (open !== null && open.kind === "tool" && !open.json!.complete) return;
      this.closeOpen(out);
      this.queue.shift();
      this.startBlock(head, out);
    }
  }

  private flushAll(out: AnthropicStreamEvent[]): void {
    this.closeOpen(out);
    for (const block of this.queue) {
      this.startBlock(block, out);
      this.closeOpen(out);
    }
    this.queue.length = 0;
  }

  private startBlock(block: Block, out: AnthropicStreamEvent[]): void {
    block.state = OPEN;
    block.index = this.nextIndex++;
    this.open = block;
    let contentBlock: AnthropicResponseBlock;
    if (block.kind === "text") contentBlock = { type: "text", text: "" };
    else if (block.kind === "thinking") contentBlock = { type: "thinking", thinking: "", signature: "" };
    else {
      this.sawToolUse = true;
      contentBlock = { type: "tool_use", id: anthropicToolId(block.id), name: block.name, input: {} };
    }
    out.push({ type: "content_block_start", index: block.index, content_block: contentBlock });
    if (block.pending) {
      out.push(delta(block, block.pending));
      block.pending = "";
    }
  }

  private closeOpen(out: AnthropicStreamEvent[]): void {
    const open = this.open;
    if (open === null) return;
    if (open.kind === "thinking") {
      out.push({ type: "content_block_delta", index: open.index, delta: { type: "signature_delta", signature: SYNTHETIC_THINKING_SIGNATURE } });
    }
    out.push({ type: "content_block_stop", index: open.index });
    open.state = CLOSED;
    this.open = null;
  }

  private complete(out: AnthropicStreamEvent[]): void {
    this.flushAll(out);
    const usage: AnthropicUsage = this.usage
      ? toAnthropicUsage(this.usage)
      : { input_tokens: this.opts.inputTokens ?? 0, output_tokens: 0 };
    out.push({ type: "message_delta", delta: toAnthropicStop(this.finish, this.sawToolUse, this.matchedStop), usage });
    out.push({ type: "message_stop" });
    this.finished = true;
  }
}

function newBlock(kind: Kind, pending: string): Block {
  return { kind, state: QUEUED, index: -1, pending, id: "", name: "", json: kind === "tool" ? new JsonCompletion() : null };
}

function delta(block: Block, text: string): AnthropicStreamEvent {
  let d: AnthropicBlockDelta;
  if (block.kind === "text") d = { type: "text_delta", text };
  else if (block.kind === "thinking") d = { type: "thinking_delta", thinking: text };
  else d = { type: "input_json_delta", partial_json: text };
  return { type: "content_block_delta", index: block.index, delta: d };
}
