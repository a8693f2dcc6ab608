import OpenAI from "openai";
import { describe, expect, it } from "vitest";
import type { AnthropicStreamEvent } from "../../../server/gateway/protocol/anthropic-types";
import { SSE_DONE, parseSse } from "../../../lib/sse";
import { AnthropicSseToOpenAISse } from "../../../server/gateway/protocol/sse-pipes";
import { AnthropicToOpenAIStream } from "../../../server/gateway/protocol/stream-anthropic-to-openai";
import { anthropicSse, cutBytes, cutString, sseFetch } from "./helpers/streams";

const START: AnthropicStreamEvent = {
  type: "message_start",
  message: {
    id: "msg_1", type: "message", role: "assistant", model: "claude-sonnet-4-5", content: [], stop_reason: null, stop_sequence: null,
    usage: { input_tokens: 30, output_tokens: 1, cache_creation_input_tokens: 5, cache_read_input_tokens: 200 },
  },
};
const ARGS = '{"path":"src/ü.ts","body":"a \\"quoted\\" {brace}"}';

function toolBlock(index: number, id: string, name: string, args: string): AnthropicStreamEvent[] {
  return [
    { type: "content_block_start", index, content_block: { type: "tool_use", id, name, input: {} } },
    ...cutString(args, [3, 1, 4]).map((p): AnthropicStreamEvent => ({ type: "content_block_delta", index, delta: { type: "input_json_delta", partial_json: p } })),
    { type: "content_block_stop", index },
  ];
}

const TOOL_TURN: AnthropicStreamEvent[] = [
  START,
  { type: "ping" },
  { type: "content_block_start", index: 0, content_block: { type: "thinking", thinking: "", signature: "" } },
  { type: "content_block_delta", index: 0, delta: { type: "thinking_delta", thinking: "Need both files." } },
  { type: "content_block_delta", index: 0, delta: { type: "signature_delta", signature: "EqQBCgIYAhIM" } },
  { type: "content_block_stop", index: 0 },
  { type: "content_block_start", index: 1, content_block: { type: "text", text: "" } },
  { type: "content_block_delta", index: 1, delta: { type: "text_delta", text: "Reading " } },
  { type: "content_block_delta", index: 1, delta: { type: "text_delta", text: "them." } },
  { type: "content_block_stop", index: 1 },
  ...toolBlock(2, "toolu_a", "Read", ARGS),
  ...toolBlock(3, "toolu_b", "Read", '{"path":"b.ts"}'),
  { type: "message_delta", delta: { stop_reason: "tool_use", stop_sequence: null }, usage: { output_tokens: 55 } },
  { type: "message_stop" },
];

describe("Anthropic events → OpenAI chunks", () => {
  it("opens with a role chunk, then content, tool calls (id and name first) and finish_reason", () => {
    const t = new AnthropicToOpenAIStream({ now: () => 1_700_000_000_000 });
    const out = TOOL_TURN.flatMap((e) => t.push(e));
    const base = { id: "chatcmpl-msg_1", object: "chat.completion.chunk", created: 1_700_000_000, model: "claude-sonnet-4-5" };
    const deltas = out.map((c) => ("choices" in c ? c.choices[0] : null));
    expect(out[0]).toEqual({ ...base, choices: [{ index: 0, delta: { role: "assistant", content: "" }, logprobs: null, finish_reason: null }] });
    expect(deltas[1]?.delta).toEqual({ reasoning_content: "Need both files." });
    expect(deltas.slice(2, 4).map((d) => d?.delta.content)).toEqual(["Reading ", "them."]);
    expect(deltas[4]?.delta).toEqual({ tool_calls: [{ index: 0, id: "toolu_a", type: "function", function: { name: "Read", arguments: "" } }] });
    const argsOf = (i: number) => deltas.flatMap((d) => d?.delta.tool_calls?.filter((c) => c.index === i).map((c) => c.function?.arguments ?? "") ?? []).join("");
    expect(argsOf(0)).toBe(ARGS);
    expect(argsOf(1)).toBe('{"path":"b.ts"}');
    expect(out.at(-1)).toEqual({ ...base, choices: [{ index: 0, delta: {}, logprobs: null, finish_reason: "tool_calls" }] });
    expect(t.done).toBe(true);
  });

  it.each([
    ["end_turn", "stop"], ["stop_sequence", "stop"], ["max_tokens", "length"], ["tool_use", "tool_calls"],
    ["refusal", "content_filter"], ["model_context_window_exceeded", "length"], ["pause_turn", "stop"],
  ] as const)("maps stop_reason %s to finish_reason %s", (stop, finish) => {
    const t = new AnthropicToOpenAIStream();
    t.push(START);
    const out = t.push({ type: "message_delta", delta: { stop_reason: stop, stop_sequence: null }, usage: { input_tokens: 1, output_tokens: 1 } });
    expect(out.map((c) => ("choices" in c ? c.choices[0]?.finish_reason : null))).toEqual([finish]);
  });

  it("adds a usage chunk (cache tokens folded back into prompt_tokens) only when include_usage was asked", () => {
    const events: AnthropicStreamEvent[] = [START, { type: "message_delta", delta: { stop_reason: "end_turn", stop_sequence: null }, usage: { output_tokens: 9, cache_read_input_tokens: null } }, { type: "message_stop" }];
    const withUsage = new AnthropicToOpenAIStream({ includeUsage: true });
    expect(events.flatMap((e) => withUsage.push(e)).at(-1)).toMatchObject({
      choices: [], usage: { prompt_tokens: 235, completion_tokens: 9, total_tokens: 244, prompt_tokens_details: { cached_tokens: 200 } },
    });
    const without = new AnthropicToOpenAIStream();
    expect(events.flatMap((e) => without.push(e)).every((c) => "choices" in c && c.choices.length === 1)).toBe(true);
  });

  it("emits arguments a server put in content_block_start instead of streaming them", () => {
    const t = new AnthropicToOpenAIStream();
    const out = [START, { type: "content_block_start", index: 0, content_block: { type: "tool_use", id: "toolu_1", name: "Ls", input: { dir: "/" } } }, { type: "content_block_stop", index: 0 }]
      .flatMap((e) => t.push(e as AnthropicStreamEvent));
    expect(out.at(-1)).toMatchObject({ choices: [{ delta: { tool_calls: [{ index: 0, function: { arguments: '{"dir":"/"}' } }] } }] });
  });

  it("keeps text or thinking a server put in content_block_start", () => {
    const t = new AnthropicToOpenAIStream();
    const out = [START, { type: "content_block_start", index: 0, content_block: { type: "thinking", thinking: "pre", signature: "" } }, { type: "content_block_start", index: 1, content_block: { type: "text", text: "Hi" } }]
      .flatMap((e) => t.push(e as AnthropicStreamEvent));
    expect(out.slice(1).map((c) => ("choices" in c ? c.choices[0]?.delta : null))).toEqual([{ reasoning_content: "pre" }, { content: "Hi" }]);
  });

  it("finishes a stream that ends without message_stop, and turns an error event into an OpenAI error chunk", () => {
    const t = new AnthropicToOpenAIStream();
    t.push(START);
    t.push({ type: "content_block_start", index: 0, content_block: { type: "tool_use", id: "toolu_1", name: "Ls", input: {} } });
    expect(t.end()).toMatchObject([{ choices: [{ finish_reason: "tool_calls" }] }]);
    const e = new AnthropicToOpenAIStream();
    e.push(START);
    expect(e.push({ type: "error", error: { type: "overloaded_error", message: "Overloaded" } })).toEqual([
      { error: { message: "Overloaded", type: "server_error", param: null, code: "overloaded_error" } },
    ]);
    expect(e.end()).toEqual([]);
  });
});

describe("Anthropic SSE bytes → OpenAI SSE (pipe)", () => {
  const script = anthropicSse(TOOL_TURN);
  const run = (pieces: Array<string | Uint8Array>, includeUsage = true) => {
    const pipe = new AnthropicSseToOpenAISse({ includeUsage, now: () => 0 });
    return pieces.map((p) => pipe.push(p)).join("") + pipe.end();
  };
  const whole = run([script]);

  it("ends with exactly one data: [DONE]", () => {
    expect(whole.endsWith(SSE_DONE)).toBe(true);
    expect(whole.split("[DONE]")).toHaveLength(2);
  });

  it.each([1, 3, 17, 500])("gives the same output when upstream bytes arrive %i at a time", (size) => {
    expect(run(cutBytes(script, size))).toBe(whole);
  });

  it("produces a stream the OpenAI SDK accumulates into the complete completion", async () => {
    const completion = await openAISdkFinal(cutBytes(whole, 9));
    const choice = completion.choices[0]!;
    expect(choice.finish_reason).toBe("tool_calls");
    expect(choice.message.content).toBe("Reading them.");
    expect(choice.message.tool_calls?.map((c) => (c.type === "function" ? [c.id, c.function.name, JSON.parse(c.function.arguments)] : null))).toEqual([
      ["toolu_a", "Read", JSON.parse(ARGS)],
      ["toolu_b", "Read", { path: "b.ts" }],
    ]);
    expect(completion.usage).toMatchObject({ prompt_tokens: 235, completion_tokens: 55, prompt_tokens_details: { cached_tokens: 200 } });
  });

  it("ends with an error chunk (no [DONE]) that the OpenAI SDK raises", async () => {
    const failing = anthropicSse(TOOL_TURN.slice(0, 8)) + 'event: error\ndata: {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}\n\n';
    const out = run([failing]);
    expect(out).not.toContain("[DONE]");
    expect(JSON.parse(parseSse(out).at(-1)!.data)).toEqual({ error: { message: "Overloaded", type: "server_error", param: null, code: "overloaded_error" } });
    await expect(openAISdkFinal([out])).rejects.toThrow(/Overloaded/);
  });
});

async function openAISdkFinal(pieces: Array<string | Uint8Array>) {
  const fetch = sseFetch(pieces);
  const client = new OpenAI({ apiKey: "test", baseURL: "http://gateway.test/v1", fetch, maxRetries: 0 });
  return client.chat.completions.stream({ model: "local-model", messages: [{ role: "user", content: "hi" }], stream_options: { include_usage: true } }).finalChatCompletion();
}
