import Anthropic from "@anthropic-ai/sdk";
import { describe, expect, it } from "vitest";
import type { AnthropicStreamEvent } from "../../../server/gateway/protocol/anthropic-types";
import type { OpenAIChatChunk } from "../../../server/gateway/protocol/openai-types";
import { parseSse } from "../../../lib/sse";
import { OpenAISseToAnthropicSse } from "../../../server/gateway/protocol/sse-pipes";
import { OpenAIToAnthropicStream } from "../../../server/gateway/protocol/stream-openai-to-anthropic";
import { SYNTHETIC_THINKING_SIGNATURE } from "../../../server/gateway/protocol/unsigned-thinking";
import { chunk, cutBytes, cutString, openAISse, reassembleAnthropic, toolPieces, usageChunk, sseFetch } from "./helpers/streams";

function translate(chunks: OpenAIChatChunk[], opts = { inputTokens: 42 }): AnthropicStreamEvent[] {
  const t = new OpenAIToAnthropicStream(opts);
  const events = chunks.flatMap((c) => t.push(c));
  return [...events, ...t.end()];
}

/** Arguments that are hard to split: braces and quotes inside strings, escapes, \u escapes, emoji, CJK. */
const TRICKY_INPUT = {
  command: 'echo "{not: json}" && printf \'%s\\n\' "[x]"',
  path: "C:\\Users\\me\\{dir}",
  note: "café ☕ 日本語 🎉 \u0000 tab\tnewline\n",
  nested: { list: [1, { a: "}" }, [], "]"], empty: {} },
};
/** ensure_ascii-style JSON, as Python engines (vLLM, SGLang) emit it: every non-ASCII char a \u escape. */
const TRICKY_ARGS = JSON.stringify(TRICKY_INPUT).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);

describe("OpenAI stream → Anthropic events", () => {
  it("translates a text turn exactly, holding message_delta for the trailing usage chunk", () => {
    const t = new OpenAIToAnthropicStream({ inputTokens: 42, model: "claude-sonnet-4-5" });
    const first = t.push(chunk({ role: "assistant", content: "" }));
    const text = t.push(chunk({ content: "Hello" }));
    const finish = t.push(chunk({}, "stop"));
    expect(finish.map((e) => e.type)).toEqual(["content_block_stop"]);
    const usage = t.push(usageChunk({ prompt_tokens: 100, completion_tokens: 7, total_tokens: 107, prompt_tokens_details: { cached_tokens: 60 } }));
    expect([...first, ...text, ...finish, ...usage]).toEqual([
      {
        type: "message_start",
        message: {
          id: "msg_chatcmpl-1", type: "message", role: "assistant", model: "claude-sonnet-4-5", content: [], stop_reason: null, stop_sequence: null,
          usage: { input_tokens: 42, output_tokens: 0, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
        },
      },
      { type: "content_block_start", index: 0, content_block: { type: "text", text: "" } },
      { type: "content_block_delta", index: 0, delta: { type: "text_delta", text: "Hello" } },
      { type: "content_block_stop", index: 0 },
      {
        type: "message_delta",
        delta: { stop_reason: "end_turn", stop_sequence: null },
        usage: { input_tokens: 40, output_tokens: 7, cache_creation_input_tokens: 0, cache_read_input_tokens: 60 },
      },
      { type: "message_stop" },
    ]);
    expect(t.done).toBe(true);
    expect(t.end()).toEqual([]);
  });

  it("streams thinking (reasoning_content or reasoning) before text, signed so a cloud backend's request can drop it", () => {
    for (const field of ["reasoning_content", "reasoning"] as const) {
      const r = reassembleAnthropic(translate([
        chunk({ role: "assistant" }),
        chunk({ [field]: "Let me " }),
        chunk({ [field]: "think." }),
        chunk({ content: "Answer." }),
        chunk({}, "stop"),
      ]));
      expect(r.blocks).toEqual([
        { type: "thinking", thinking: "Let me think.", signature: SYNTHETIC_THINKING_SIGNATURE },
        { type: "text", text: "Answer." },
      ]);
    }
  });

  it.each([
    ["single characters", [1]],
    ["uneven cuts", [1, 2, 3, 5, 8]],
    ["cuts inside \\u escapes", [3, 4, 1, 6]],
    ["one piece", [100_000]],
  ])("delivers tool arguments whole, in order and once, cut into %s", (_name, lengths) => {
    const pieces = cutString(TRICKY_ARGS, lengths);
    const events = translate([chunk({ role: "assistant", content: "Running it." }), ...toolPieces(0, "call_1", "Bash", ["", ...pieces]), chunk({}, "tool_calls")]);
    const r = reassembleAnthropic(events);
    expect(r.blocks).toHaveLength(2);
    expect(r.blocks[1]).toMatchObject({ type: "tool_use", id: "call_1", name: "Bash", json: TRICKY_ARGS, input: TRICKY_INPUT });
    expect(r.stopReason).toBe("tool_use");
    const deltas = events.filter((e) => e.type === "content_block_delta" && e.delta.type === "input_json_delta");
    expect(deltas.length).toBe(pieces.length); // streamed live, piece for piece
  });

  it("gives sequential parallel tool calls one block each, in order", () => {
    const calls = [0, 1, 2].map((i) => ({ id: `call_${i}`, name: ["Read", "Grep", "Glob"][i]!, input: { n: i, s: `}{"${i}` } }));
    const chunks = calls.flatMap((c, i) => toolPieces(i, c.id, c.name, cutString(JSON.stringify(c.input), [2, 3])));
    const r = reassembleAnthropic(translate([...chunks, chunk({}, "tool_calls"), usageChunk({ prompt_tokens: 5, completion_tokens: 3, total_tokens: 8 })]));
    expect(r.blocks.map((b) => [b.id, b.name, b.input])).toEqual(calls.map((c) => [c.id, c.name, c.input]));
    expect(r.stopReason).toBe("tool_use");
  });

  it("keeps interleaved tool calls apart: the first streams live, the others wait until it closes", () => {
    const a = cutString(JSON.stringify({ file: "a.ts", text: "x".repeat(20) }), [4]);
    const b = cutString(JSON.stringify({ file: "b.ts", text: "y".repeat(20) }), [4]);
    const chunks: OpenAIChatChunk[] = [];
    const pa = toolPieces(0, "call_a", "Write", a);
    const pb = toolPieces(1, "call_b", "Write", b);
    for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
      if (pa[i]) chunks.push(pa[i]!);
      if (pb[i]) chunks.push(pb[i]!);
    }
    const r = reassembleAnthropic(translate([...chunks, chunk({}, "tool_calls")]));
    expect(r.blocks.map((x) => [x.id, x.json])).toEqual([["call_a", a.join("")], ["call_b", b.join("")]]);
  });

  it("waits for a tool's name before starting its block, and takes calls without an index", () => {
    const r = reassembleAnthropic(translate([
      chunk({ tool_calls: [{ index: 0, id: "call_x", function: { arguments: '{"q":' } }] }),
      chunk({ tool_calls: [{ index: 0, function: { name: "Search", arguments: '"hi"}' } }] }),
      chunk({ tool_calls: [{ id: "call_y", function: { name: "Read", arguments: '{"p":1}' } }] }),
      chunk({ tool_calls: [{ function: { arguments: "" } }] }),
      chunk({}, "tool_calls"),
    ]));
    expect(r.blocks.map((b) => [b.id, b.name, b.input])).toEqual([["call_x", "Search", { q: "hi" }], ["call_y", "Read", { p: 1 }]]);
  });

  it("separates calls that a server sends all under index 0, told apart by their ids", () => {
    const r = reassembleAnthropic(translate([
      ...toolPieces(0, "call_a", "Read", ['{"p":', '"a"}']),
      ...toolPieces(0, "call_b", "Read", ['{"p":', '"b"}']),
      chunk({}, "tool_calls"),
    ]));
    expect(r.blocks.map((b) => [b.id, b.input])).toEqual([["call_a", { p: "a" }], ["call_b", { p: "b" }]]);
  });

  it("ends cleanly when the upstream stops without finish_reason or usage", () => {
    const r = reassembleAnthropic(translate([chunk({ content: "partial" })]));
    expect(r.blocks).toEqual([{ type: "text", text: "partial" }]);
    expect(r.stopReason).toBe("end_turn");
    expect(r.usage).toEqual({ input_tokens: 42, output_tokens: 0 });
    const withTool = reassembleAnthropic(translate(toolPieces(0, "call_1", "Read", ['{"a":', "1}"])));
    expect(withTool.stopReason).toBe("tool_use");
    expect(reassembleAnthropic(translate([])).blocks).toEqual([]);
  });

  it.each([
    ["length", undefined, "max_tokens", null],
    ["content_filter", undefined, "refusal", null],
    ["stop", "</answer>", "stop_sequence", "</answer>"],
    ["stop", 151643, "end_turn", null], // vLLM: a stop *token* id, not a sequence the client set
  ] as const)("maps finish_reason %s (vLLM stop_reason %s) to %s", (finish, matched, reason, sequence) => {
    const events = translate([chunk({ content: "x" }), { ...chunk({}, finish), choices: [{ index: 0, delta: {}, finish_reason: finish, stop_reason: matched }] }]);
    expect(events.find((e) => e.type === "message_delta")).toMatchObject({ delta: { stop_reason: reason, stop_sequence: sequence } });
  });

  it("takes input tokens for message_start from a first chunk that carries usage (vLLM continuous usage)", () => {
    const u = { prompt_tokens: 80, completion_tokens: 0, total_tokens: 80, prompt_tokens_details: { cached_tokens: 16 } };
    const events = translate([chunk({ content: "a" }, null, { usage: u }), chunk({}, "stop", { usage: { ...u, completion_tokens: 1, total_tokens: 81 } })]);
    expect(reassembleAnthropic(events).startUsage).toMatchObject({ input_tokens: 64, cache_read_input_tokens: 16 });
    expect(events.at(-1)).toEqual({ type: "message_stop" }); // finished on the finish chunk: usage already known
  });

  it("ends with an error event on a mid-stream failure: overloaded_error for 529/overload, api_error otherwise", () => {
    const t = new OpenAIToAnthropicStream({ inputTokens: 1 });
    t.push(chunk({ content: "a" }));
    expect(t.error({ error: { message: "boom" } })).toEqual([{ type: "error", error: { type: "api_error", message: "boom" } }]);
    expect(t.done).toBe(true);
    expect(t.push(chunk({ content: "late" }))).toEqual([]);
    expect(new OpenAIToAnthropicStream().error("upstream overloaded", 529)).toEqual([{ type: "error", error: { type: "overloaded_error", message: "upstream overloaded" } }]);
    expect(new OpenAIToAnthropicStream().error({ error: { message: "Server is overloaded, try later", code: 503 } })[0]).toMatchObject({ error: { type: "overloaded_error" } });
  });
});

describe("OpenAI SSE bytes → Anthropic SSE (pipe)", () => {
  const script = openAISse([
    chunk({ role: "assistant", content: "" }),
    chunk({ reasoning_content: "Plan: read 📄 then grep." }),
    chunk({ content: "Let me look — ça va." }),
    ...toolPieces(0, "call_r", "Read", cutString(TRICKY_ARGS, [7, 1, 3])),
    ...toolPieces(1, "call_g", "Grep", cutString('{"pattern":"\\"é\\"","path":"."}', [2])),
    chunk({}, "tool_calls"),
    usageChunk({ prompt_tokens: 1200, completion_tokens: 90, total_tokens: 1290, prompt_tokens_details: { cached_tokens: 1000 } }),
  ]);

  function run(pieces: Array<string | Uint8Array>): string {
    const pipe = new OpenAISseToAnthropicSse({ inputTokens: 1100, model: "claude-sonnet-4-5" });
    return pieces.map((p) => pipe.push(p)).join("") + pipe.end();
  }

  const whole = run([script]);

  it.each([1, 2, 3, 7, 64, 1000])("gives the same output when the upstream bytes arrive %i at a time (cuts inside data: lines and UTF-8)", (size) => {
    expect(run(cutBytes(script, size))).toBe(whole);
  });

  it("produces a stream the Anthropic SDK accumulates into the complete message", async () => {
    const message = await anthropicSdkFinalMessage(cutBytes(whole, 5));
    expect(message.content).toEqual([
      { type: "thinking", thinking: "Plan: read 📄 then grep.", signature: SYNTHETIC_THINKING_SIGNATURE },
      { type: "text", text: "Let me look — ça va." },
      { type: "tool_use", id: "call_r", name: "Read", input: TRICKY_INPUT },
      { type: "tool_use", id: "call_g", name: "Grep", input: { pattern: '"é"', path: "." } },
    ]);
    expect(message.stop_reason).toBe("tool_use");
    expect(message.usage).toMatchObject({ input_tokens: 200, output_tokens: 90, cache_read_input_tokens: 1000 });
  });

  it("turns a `data: {\"error\"}` chunk into an error event the Anthropic SDK raises", async () => {
    const failing = openAISse([chunk({ content: "half" })], false) + 'data: {"error":{"message":"Overloaded: too many requests","type":"server_error","code":529}}\n\n';
    const out = run([failing]);
    const events = parseSse(out);
    expect(events.at(-1)).toEqual({ event: "error", data: JSON.stringify({ type: "error", error: { type: "overloaded_error", message: "Overloaded: too many requests" } }) });
    await expect(anthropicSdkFinalMessage([out])).rejects.toMatchObject({ type: "overloaded_error" });
  });

  it("reports malformed upstream data as api_error, and adapter-seen failures through fail()", () => {
    expect(parseSse(run(['data: {"choices": [\n\n'])).map((e) => e.event)).toEqual(["error"]);
    const pipe = new OpenAISseToAnthropicSse();
    const started = pipe.push(openAISse([chunk({ content: "a" })], false));
    expect(parseSse(started).map((e) => e.event)).toEqual(["message_start", "content_block_start", "content_block_delta"]);
    expect(pipe.failed).toBe(false);
    expect(parseSse(pipe.fail("upstream stopped answering", 504))).toEqual([{ event: "error", data: '{"type":"error","error":{"type":"api_error","message":"upstream stopped answering"}}' }]);
    expect(pipe.failed).toBe(true);
    expect(pipe.end()).toBe("");
  });
});

/** Runs `pieces` (the gateway's response body) through the official SDK's stream accumulation. */
async function anthropicSdkFinalMessage(pieces: Array<string | Uint8Array>) {
  const fetch = sseFetch(pieces);
  const client = new Anthropic({ apiKey: "test", baseURL: "http://gateway.test", fetch, maxRetries: 0 });
  return client.messages.stream({ model: "local-model", max_tokens: 100, messages: [{ role: "user", content: "hi" }] }).finalMessage();
}
