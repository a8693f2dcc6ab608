/**
 * Replays responses captured from a real llama.cpp server (fixtures/llama-cpp/README.md) through the
 * translators and the official SDKs. llama.cpp speaks both protocols natively, so its own Anthropic
 * answer is the reference for what our translation of its OpenAI answer must say.
 */
import { readFileSync } from "node:fs";
import Anthropic from "@anthropic-ai/sdk";
import OpenAI from "openai";
import { describe, expect, it } from "vitest";
import { openAIResponseToAnthropic } from "../../../server/gateway/protocol/anthropic-to-openai";
import type { AnthropicMessageResponse } from "../../../server/gateway/protocol/anthropic-types";
import { translateErrorBody } from "../../../server/gateway/protocol/errors";
import type { OpenAIChatCompletion } from "../../../server/gateway/protocol/openai-types";
import { anthropicResponseToOpenAI } from "../../../server/gateway/protocol/openai-to-anthropic";
import { AnthropicSseToOpenAISse, OpenAISseToAnthropicSse } from "../../../server/gateway/protocol/sse-pipes";
import { cutBytes } from "./helpers/streams";

const fixture = (name: string) => readFileSync(new URL(`./fixtures/llama-cpp/${name}`, import.meta.url), "utf8");

function sseFetch(body: string) {
  return async () => new Response(body, { status: 200, headers: { "content-type": "text/event-stream" } });
}

describe("real llama.cpp responses through the translators", () => {
  it("OpenAI stream → Anthropic SSE → the Anthropic SDK's final message", async () => {
    const pipe = new OpenAISseToAnthropicSse({ inputTokens: 50, model: "claude-haiku-4-5" });
    const out = cutBytes(fixture("openai-stream.txt"), 13).map((c) => pipe.push(c)).join("") + pipe.end();
    const client = new Anthropic({ apiKey: "k", baseURL: "http://gw.test", fetch: sseFetch(out), maxRetries: 0 });
    const msg = await client.messages.stream({ model: "local", max_tokens: 16, messages: [{ role: "user", content: "hi" }] }).finalMessage();
    expect(msg.content).toEqual([{ type: "text", text: "pong" }]);
    expect(msg.stop_reason).toBe("end_turn");
    expect(msg.model).toBe("claude-haiku-4-5");
    expect(msg.usage).toMatchObject({ input_tokens: 56, output_tokens: 2, cache_read_input_tokens: 0 });
    expect(pipe.tokens).toEqual({ input: 56, output: 2, cached: 0 });
  });

  it("Anthropic stream → OpenAI SSE → the OpenAI SDK's final completion", async () => {
    const pipe = new AnthropicSseToOpenAISse({ includeUsage: true });
    const out = cutBytes(fixture("anthropic-stream.txt"), 13).map((c) => pipe.push(c)).join("") + pipe.end();
    const client = new OpenAI({ apiKey: "k", baseURL: "http://gw.test/v1", fetch: sseFetch(out), maxRetries: 0 });
    const completion = await client.chat.completions.stream({ model: "local", messages: [{ role: "user", content: "hi" }], stream_options: { include_usage: true } }).finalChatCompletion();
    expect(completion.choices[0]).toMatchObject({ finish_reason: "stop", message: { role: "assistant", content: "pong" } });
    expect(completion.usage).toMatchObject({ prompt_tokens: 56, completion_tokens: 2, total_tokens: 58, prompt_tokens_details: { cached_tokens: 55 } });
    expect(pipe.tokens).toEqual({ input: 56, output: 2, cached: 55 });
  });

  it("splits usage exactly as llama.cpp's own Anthropic endpoint does, and back", () => {
    const own = JSON.parse(fixture("anthropic-response.json")) as AnthropicMessageResponse;
    const ours = openAIResponseToAnthropic(JSON.parse(fixture("openai-response.json")) as OpenAIChatCompletion);
    expect(ours.usage).toMatchObject(own.usage);
    expect(ours.content).toEqual(own.content);
    expect(ours.stop_reason).toBe(own.stop_reason);
    expect(anthropicResponseToOpenAI(own).usage).toEqual(JSON.parse(fixture("openai-response.json")).usage);
  });

  it("restates llama.cpp's context-size error as Anthropic's 'prompt is too long'", () => {
    expect(translateErrorBody(fixture("error-context-exceeded.json"), 400, "anthropic")).toEqual({
      type: "error", error: { type: "invalid_request_error", message: "prompt is too long: 14054 tokens > 512 maximum" },
    });
  });
});
