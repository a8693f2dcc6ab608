import { describe, expect, it } from "vitest";
import type { AnthropicMessageResponse } from "../../../server/gateway/protocol/anthropic-types";
import { ProtocolError } from "../../../server/gateway/protocol/errors";
import { parseOpenAIChatRequest, type OpenAIChatRequest } from "../../../server/gateway/protocol/openai-types";
import { anthropicResponseToOpenAI, openAIRequestToAnthropic } from "../../../server/gateway/protocol/openai-to-anthropic";

function parsed(body: Record<string, unknown>): OpenAIChatRequest {
  const r = parseOpenAIChatRequest(body);
  if (!r.ok) throw new Error(r.message);
  return r.value;
}

const toAnthropic = (extra: Record<string, unknown>, messages: unknown[] = [{ role: "user", content: "hi" }]) =>
  openAIRequestToAnthropic(parsed({ model: "gpt-4o", messages, ...extra }), { model: "claude-haiku-4-5" });

const WEATHER = { type: "function", function: { name: "weather", description: "Weather now", parameters: { type: "object", properties: { city: { type: "string" } } } } };

describe("OpenAI request → Anthropic request", () => {
  it("translates a tool-calling conversation", () => {
    const body = toAnthropic({ tools: [WEATHER], max_completion_tokens: 500, stream: true, user: "u1" }, [
      { role: "system", content: "Be brief." },
      { role: "user", content: [{ type: "text", text: "Weather in Paris and Oslo?" }, { type: "image_url", image_url: { url: "data:image/png;base64,iVBOR" } }] },
      { role: "assistant", content: "Checking.", tool_calls: [
        { id: "call_1", type: "function", function: { name: "weather", arguments: '{"city":"Paris"}' } },
        { id: "functions.weather:1", type: "function", function: { name: "weather", arguments: '{"city":"Oslo"}' } },
      ] },
      { role: "tool", tool_call_id: "call_1", content: "18°C" },
      { role: "tool", tool_call_id: "functions.weather:1", content: [{ type: "text", text: "4°C" }] },
      { role: "developer", content: "Answer in one line." },
      { role: "user", content: "Thanks" },
    ]);
    expect(body).toEqual({
      model: "claude-haiku-4-5",
      max_tokens: 500,
      stream: true,
      metadata: { user_id: "u1" },
      system: [{ type: "text", text: "Be brief." }, { type: "text", text: "Answer in one line." }],
      tools: [{ name: "weather", description: "Weather now", input_schema: { type: "object", properties: { city: { type: "string" } } } }],
      messages: [
        { role: "user", content: [{ type: "text", text: "Weather in Paris and Oslo?" }, { type: "image", source: { type: "base64", media_type: "image/png", data: "iVBOR" } }] },
        { role: "assistant", content: [
          { type: "text", text: "Checking." },
          { type: "tool_use", id: "call_1", name: "weather", input: { city: "Paris" } },
          { type: "tool_use", id: "functions_weather_1", name: "weather", input: { city: "Oslo" } },
        ] },
        { role: "user", content: [
          { type: "tool_result", tool_use_id: "call_1", content: "18°C" },
          { type: "tool_result", tool_use_id: "functions_weather_1", content: "4°C" },
          { type: "text", text: "Thanks" },
        ] },
      ],
    });
  });

  it("keeps tool results ahead of text when a user message comes between tool messages", () => {
    const body = toAnthropic({}, [
      { role: "assistant", content: null, tool_calls: [{ id: "a", type: "function", function: { name: "f", arguments: "{}" } }, { id: "b", type: "function", function: { name: "f", arguments: "{}" } }] },
      { role: "tool", tool_call_id: "a", content: "A" },
      { role: "user", content: "note" },
      { role: "tool", tool_call_id: "b", content: "B" },
    ]);
    expect(body.messages[1]!.content).toEqual([
      { type: "tool_result", tool_use_id: "a", content: "A" },
      { type: "tool_result", tool_use_id: "b", content: "B" },
      { type: "text", text: "note" },
    ]);
  });

  it.each([
    ["auto", undefined, { type: "auto" }],
    ["required", undefined, { type: "any" }],
    ["none", undefined, { type: "none" }],
    [{ type: "function", function: { name: "weather" } }, undefined, { type: "tool", name: "weather" }],
    ["required", false, { type: "any", disable_parallel_tool_use: true }],
    [undefined, false, { type: "auto", disable_parallel_tool_use: true }],
    [undefined, undefined, undefined],
  ])("maps tool_choice %j (parallel_tool_calls %s) to %j", (choice, parallel, expected) => {
    expect(toAnthropic({ tools: [WEATHER], tool_choice: choice, parallel_tool_calls: parallel }).tool_choice).toEqual(expected);
  });

  it("fills in what Anthropic requires: max_tokens, an object input_schema", () => {
    const body = toAnthropic({ tools: [{ type: "function", function: { name: "noargs" } }] });
    expect(body.max_tokens).toBe(4096);
    expect(body.tools).toEqual([{ name: "noargs", input_schema: { type: "object", properties: {} } }]);
    expect(toAnthropic({ max_tokens: 77 }).max_tokens).toBe(77);
  });

  it.each([
    [{ temperature: 1.6, top_p: 0.5, top_k: 20 }, { temperature: 1, top_p: 0.5, top_k: 20 }],
    [{ stop: "END" }, { stop_sequences: ["END"] }],
    [{ stop: ["A", "  ", "B"] }, { stop_sequences: ["A", "B"] }],
    [{ response_format: { type: "json_schema", json_schema: { name: "x", schema: { type: "object" } } } }, { output_config: { format: { type: "json_schema", schema: { type: "object" } } } }],
  ])("maps %j", (extra, expected) => {
    expect(toAnthropic(extra)).toMatchObject(expected);
  });

  it.each([
    ["low", 8000, 2048],
    ["high", 100_000, 24576],
    ["high", 4000, 2000], // fitted under the client's limit, which counts reasoning too
    ["high", 1500, null], // no room for Anthropic's 1024 minimum
    ["none", 8000, null],
  ] as const)("maps reasoning_effort %s with max_tokens %i to a thinking budget of %s", (effort, max, budget) => {
    const body = toAnthropic({ reasoning_effort: effort, max_completion_tokens: max, temperature: 0.3 });
    expect(body.max_tokens).toBe(max);
    expect(body.thinking).toEqual(budget === null ? undefined : { type: "enabled", budget_tokens: budget });
    expect(body.temperature).toBe(budget === null ? 0.3 : undefined); // Anthropic forbids temperature with thinking
  });

  it("refuses what Anthropic cannot take, with a 400 the client can act on", () => {
    expect(() => toAnthropic({ n: 2 })).toThrow(ProtocolError);
    expect(() => toAnthropic({}, [{ role: "user", content: [{ type: "input_audio", input_audio: { data: "AA", format: "wav" } }] }])).toThrow(/audio input is not supported/);
    expect(() => toAnthropic({}, [{ role: "user", content: [{ type: "file", file: { file_id: "file-1" } }] }])).toThrow(/inline files/);
    const err = (() => {
      try {
        toAnthropic({ n: 3 });
      } catch (e) {
        return e;
      }
    })();
    expect(err).toMatchObject({ status: 400, message: expect.stringMatching(/n > 1/) });
  });

  it("drops reasoning from history (Anthropic accepts only thinking it signed) and empty turns", () => {
    const body = toAnthropic({}, [{ role: "user", content: "q" }, { role: "assistant", content: "", reasoning_content: "secret" }, { role: "user", content: "again" }]);
    expect(body.messages).toEqual([{ role: "user", content: [{ type: "text", text: "q" }, { type: "text", text: "again" }] }]);
  });
});

describe("Anthropic response → OpenAI completion", () => {
  const message: AnthropicMessageResponse = {
    id: "msg_1", type: "message", role: "assistant", model: "claude-haiku-4-5",
    content: [
      { type: "thinking", thinking: "hmm", signature: "sig" },
      { type: "text", text: "Paris: " },
      { type: "text", text: "sunny." },
      { type: "tool_use", id: "toolu_1", name: "weather", input: { city: "Oslo" } },
    ],
    stop_reason: "tool_use", stop_sequence: null,
    usage: { input_tokens: 10, output_tokens: 20, cache_read_input_tokens: 300, cache_creation_input_tokens: 40 },
  };

  it("maps content, reasoning, tool calls, finish_reason and usage", () => {
    expect(anthropicResponseToOpenAI(message, { now: () => 5_000 })).toEqual({
      id: "chatcmpl-msg_1", object: "chat.completion", created: 5, model: "claude-haiku-4-5",
      choices: [{
        index: 0,
        message: {
          role: "assistant", content: "Paris: sunny.", refusal: null, reasoning_content: "hmm",
          tool_calls: [{ id: "toolu_1", type: "function", function: { name: "weather", arguments: '{"city":"Oslo"}' } }],
        },
        finish_reason: "tool_calls",
        logprobs: null,
      }],
      usage: { prompt_tokens: 350, completion_tokens: 20, total_tokens: 370, prompt_tokens_details: { cached_tokens: 300 } },
    });
  });

  it("gives null content for a tool-only turn and empty text otherwise", () => {
    expect(anthropicResponseToOpenAI({ ...message, content: [message.content[3]!] }).choices[0]!.message.content).toBeNull();
    expect(anthropicResponseToOpenAI({ ...message, content: [], stop_reason: "max_tokens" }).choices[0]).toMatchObject({ message: { content: "" }, finish_reason: "length" });
  });
});
