import { describe, expect, it } from "vitest";
import { parseAnthropicCountTokensRequest, parseAnthropicMessagesRequest } from "../../../server/gateway/protocol/anthropic-types";
import { parseOpenAIChatRequest } from "../../../server/gateway/protocol/openai-types";
import { claudeCodeRequest } from "./helpers/requests";

const anthropic = (extra: Record<string, unknown>) => parseAnthropicMessagesRequest({ model: "m", max_tokens: 10, messages: [{ role: "user", content: "hi" }], ...extra });
const openai = (extra: Record<string, unknown>) => parseOpenAIChatRequest({ model: "m", messages: [{ role: "user", content: "hi" }], ...extra });

describe("Anthropic request validation", () => {
  it("accepts a Claude Code request and keeps every field, known or not, as sent", () => {
    const body = claudeCodeRequest();
    const r = parseAnthropicMessagesRequest(body);
    expect(r).toEqual({ ok: true, value: body });
  });

  it("passes unknown block types through untouched (new block kinds must not break clients)", () => {
    const block = { type: "server_tool_use", id: "srvtoolu_1", name: "web_search", input: { query: "x" } };
    const r = anthropic({ messages: [{ role: "assistant", content: [block] }] });
    expect(r.ok && r.value.messages[0]!.content).toEqual([block]);
  });

  it.each([
    [{ model: undefined }, "model: required (expected string)"],
    [{ max_tokens: 0 }, "max_tokens: Too small: expected number to be >0"],
    [{ messages: [] }, "messages: Too small: expected array to have >=1 items"],
    [{ messages: [{ role: "system", content: "x" }] }, 'messages.0.role: Invalid option: expected one of "user"|"assistant"'],
    [{ messages: [{ role: "user", content: 5 }] }, "messages.0.content: expected string or array"],
    [{ messages: [{ role: "user", content: [{ type: "text" }] }] }, "messages.0.content.0.text: required (expected string)"],
    [{ messages: [{ role: "user", content: [{ type: "image", source: { type: "base64", media_type: "image/png" } }] }] }, "messages.0.content.0.source.data: required (expected string)"],
    [{ messages: [{ role: "assistant", content: [{ type: "tool_use", id: "t", name: "f", input: "{}" }] }] }, "messages.0.content.0.input: expected object"],
    [{ messages: [{ role: "user", content: [{ type: "tool_result", content: "x" }] }] }, "messages.0.content.0.tool_use_id: required (expected string)"],
    [{ messages: [{ role: "user", content: [{ text: "no type" }] }] }, "messages.0.content.0.type: required (expected string)"],
    [{ tools: [{ name: "f" }] }, "tools.0.input_schema: expected object"],
    [{ tools: [{ type: "custom", name: "f" }] }, "tools.0.input_schema: expected object"],
    [{ tool_choice: { type: "tool" } }, "tool_choice.name: required (expected string)"],
    [{ stop_sequences: "x" }, "stop_sequences: expected array, received string"],
  ])("rejects %j with %j", (extra, message) => {
    expect(anthropic(extra)).toEqual({ ok: false, message });
  });

  it("rejects a body that is not an object", () => {
    expect(parseAnthropicMessagesRequest("hi")).toEqual({ ok: false, message: "request body: expected object, received string" });
  });

  it("does not require max_tokens for count_tokens", () => {
    expect(parseAnthropicCountTokensRequest({ model: "m", messages: [{ role: "user", content: "hi" }] }).ok).toBe(true);
  });
});

describe("OpenAI request validation", () => {
  it("accepts explicit nulls for unset fields, as many clients send them", () => {
    expect(openai({ stop: null, temperature: null, tools: null, tool_choice: null, max_tokens: null, stream_options: null }).ok).toBe(true);
  });

  it.each([
    [{ messages: [{ role: "robot", content: "x" }] }, "messages.0.role"],
    [{ messages: [{ role: "tool", content: "x" }] }, "messages.0.tool_call_id: required (expected string)"],
    [{ messages: [{ role: "user", content: [{ type: "image_url", image_url: {} }] }] }, "messages.0.content.0.image_url.url: required (expected string)"],
    [{ messages: [{ role: "assistant", tool_calls: [{ id: "c", function: { name: "f", arguments: {} } }] }] }, "messages.0.tool_calls.0.function.arguments: expected string, received object"],
    [{ tools: [{ type: "function", function: { description: "no name" } }] }, "tools.0.function.name: required (expected string)"],
    [{ tool_choice: "sometimes" }, "tool_choice"],
    [{ n: 0 }, "n: Too small"],
  ])("rejects %j naming %s", (extra, start) => {
    const r = openai(extra);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.message).toMatch(new RegExp(`^${start.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}`));
  });
});
