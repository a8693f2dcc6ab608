/**
 * Scripted upstream streams and checkers for the gateway's stream translators: build OpenAI chunks
 * and Anthropic events, encode them as SSE, cut the bytes at awkward places, and reassemble what a
 * client would end up with while checking the event order the protocols require.
 */
import { expect } from "vitest";
import type { AnthropicStreamEvent } from "../../../../server/gateway/protocol/anthropic-types";
import type { OpenAIChatChunk, OpenAIChunkDelta, OpenAIFinishReason, OpenAIUsage } from "../../../../server/gateway/protocol/openai-types";

export function chunk(delta: OpenAIChunkDelta, finish: OpenAIFinishReason | null = null, extra: Partial<OpenAIChatChunk> = {}): OpenAIChatChunk {
  return { id: "chatcmpl-1", object: "chat.completion.chunk", created: 1, model: "glm-4.5-air", choices: [{ index: 0, delta, finish_reason: finish }], ...extra };
}

export function usageChunk(usage: OpenAIUsage): OpenAIChatChunk {
  return { id: "chatcmpl-1", object: "chat.completion.chunk", created: 1, model: "glm-4.5-air", choices: [], usage };
}

/** Tool-call argument pieces for call `index`; id and name only in the first, as OpenAI streams them. */
export function toolPieces(index: number, id: string, name: string, pieces: string[]): OpenAIChatChunk[] {
  return pieces.map((args, i) =>
    chunk({ tool_calls: [i === 0 ? { index, id, type: "function", function: { name, arguments: args } } : { index, function: { arguments: args } }] }),
  );
}

export function openAISse(chunks: object[], done = true): string {
  return chunks.map((c) => `data: ${JSON.stringify(c)}\n\n`).join("") + (done ? "data: [DONE]\n\n" : "");
}

export function anthropicSse(events: object[]): string {
  return events.map((e) => `event: ${(e as { type: string }).type}\ndata: ${JSON.stringify(e)}\n\n`).join("");
}

/** The UTF-8 bytes of `text`, cut every `size` bytes (so cuts land inside multi-byte characters too). */
export function cutBytes(text: string, size: number): Uint8Array[] {
  const bytes = new TextEncoder().encode(text);
  const out: Uint8Array[] = [];
  for (let i = 0; i < bytes.length; i += size) out.push(bytes.subarray(i, i + size));
  return out;
}

/** Splits a string into pieces of the given lengths, cycling (e.g. [1, 3, 2]); pieces join back to the input. */
export function cutString(text: string, lengths: number[]): string[] {
  const out: string[] = [];
  for (let i = 0, k = 0; i < text.length; k++) {
    const n = lengths[k % lengths.length]!;
    out.push(text.slice(i, i + n));
    i += n;
  }
  return out;
}

export interface Reassembled {
  blocks: Array<{ type: string; text?: string; thinking?: string; signature?: string; id?: string; name?: string; json?: string; input?: unknown }>;
  stopReason: string | null;
  usage: Record<string, unknown>;
  startUsage: Record<string, unknown>;
  error: { type: string; message: string } | null;
}

/**
 * What an Anthropic client accumulates, asserting the protocol's order on the way: message_start
 * first; blocks strictly one at a time with consecutive indices; deltas only for the open block and
 * of its kind; one message_delta after the last block; message_stop last (or an error event).
 */
export function reassembleAnthropic(events: AnthropicStreamEvent[]): Reassembled {
  const r: Reassembled = { blocks: [], stopReason: null, usage: {}, startUsage: {}, error: null };
  expect(events[0]?.type).toBe("message_start");
  let open = -1;
  let sawDelta = false;
  events.forEach((e, i) => {
    switch (e.type) {
      case "message_start":
        expect(i).toBe(0);
        expect(typeof e.message.usage.input_tokens).toBe("number");
        r.startUsage = { ...e.message.usage };
        break;
      case "content_block_start":
        expect(open).toBe(-1);
        expect(e.index).toBe(r.blocks.length);
        expect(sawDelta).toBe(false);
        open = e.index;
        r.blocks.push(e.content_block.type === "tool_use" ? { type: "tool_use", id: e.content_block.id, name: e.content_block.name, json: "" } : { ...e.content_block });
        break;
      case "content_block_delta": {
        expect(e.index).toBe(open);
        const b = r.blocks[open]!;
        const d = e.delta;
        if (d.type === "text_delta") { expect(b.type).toBe("text"); b.text += d.text; }
        else if (d.type === "thinking_delta") { expect(b.type).toBe("thinking"); b.thinking += d.thinking; }
        else if (d.type === "signature_delta") { expect(b.type).toBe("thinking"); b.signature = d.signature; }
        else { expect(b.type).toBe("tool_use"); b.json += d.partial_json; }
        break;
      }
      case "content_block_stop": {
        expect(e.index).toBe(open);
        const b = r.blocks[open]!;
        if (b.type === "tool_use") b.input = b.json === "" ? {} : JSON.parse(b.json!);
        open = -1;
        break;
      }
      case "message_delta":
        expect(open).toBe(-1);
        expect(sawDelta).toBe(false);
        sawDelta = true;
        r.stopReason = e.delta.stop_reason;
        r.usage = { ...e.usage };
        break;
      case "message_stop":
        expect(sawDelta).toBe(true);
        expect(i).toBe(events.length - 1);
        break;
      case "error":
        expect(i).toBe(events.length - 1);
        r.error = e.error;
        break;
      case "ping":
        break;
    }
  });
  return r;
}

/**
 * A `fetch` for the official SDKs that answers with `pieces` as an SSE body, chunk by chunk, so a
 * translated stream can be replayed through the SDK's own accumulation.
 */
export function sseFetch(pieces: Array<string | Uint8Array>): () => Promise<Response> {
  const encoder = new TextEncoder();
  return async () =>
    new Response(new ReadableStream({
      start(c) {
        for (const p of pieces) c.enqueue(typeof p === "string" ? encoder.encode(p) : p);
        c.close();
      },
    }), { status: 200, headers: { "content-type": "text/event-stream" } });
}
