import type OpenAI from "openai";
import { describe, expect, it } from "vitest";
import { anthropicRequestToOpenAI, openAIResponseToAnthropic, type AnthropicToOpenAIOptions } from "../../../server/gateway/protocol/anthropic-to-openai";
import { parseAnthropicMessagesRequest, type AnthropicMessagesRequest } from "../../../server/gateway/protocol/anthropic-types";
import type { OpenAIChatCompletion } from "../../../server/gateway/protocol/openai-types";
import { RAW_ARGUMENTS_KEY } from "../../../server/gateway/protocol/tool-input";
import { SYNTHETIC_THINKING_SIGNATURE } from "../../../server/gateway/protocol/unsigned-thinking";
import { READ_TOOL, claudeCodeRequest } from "./helpers/requests";

function parsed(body: Record<string, unknown>): AnthropicMessagesRequest {
  const r = parseAnthropicMessagesRequest(body);
  if (!r.ok) throw new Error(r.message);
  return r.value;
}

const req = (extra: Record<string, unknown>, messages: unknown[] = [{ role: "user", content: "hi" }]) =>
  parsed({ model: "claude-sonnet-4-5", max_tokens: 100, messages, ...extra });

const toOpenAI = (extra: Record<string, unknown>, messages?: unknown[], opts?: AnthropicToOpenAIOptions) => anthropicRequestToOpenAI(req(extra, messages), opts);

describe("Anthropic request → OpenAI request", () => {
  it("translates a Claude Code tool-loop turn", () => {
    const body = anthropicRequestToOpenAI(parsed(claudeCodeRequest()), { model: "glm-4.5-air" });
    // Compile-time check: what we send is a valid request in the official SDK's terms.
    const asSdk: OpenAI.ChatCompletionCreateParams = body;
    expect(asSdk.model).toBe("glm-4.5-air");
    expect(body).toEqual({
      model: "glm-4.5-air",
      max_tokens: 32000,
      stream: true,
      stream_options: { include_usage: true },
      user: "user_abc_account__session_123",
      tools: [{ type: "function", function: { name: "Read", description: READ_TOOL.description, parameters: READ_TOOL.input_schema } }],
      tool_choice: "auto",
      reasoning_effort: "high",
      chat_template_kwargs: { enable_thinking: true },
      messages: [
        { role: "system", content: "You are Claude Code, Anthropic's official CLI for Claude.\n\nUse the tools to answer." },
        { role: "user", content: [{ type: "text", text: "<system-reminder>ctx</system-reminder>" }, { type: "text", text: "What is in a.ts?" }] },
        {
          role: "assistant",
          content: "Reading.",
          reasoning_content: "I should read it.",
          tool_calls: [{ id: "toolu_01", type: "function", function: { name: "Read", arguments: '{"file_path":"/src/a.ts"}' } }],
        },
        { role: "tool", tool_call_id: "toolu_01", content: "export const a = 1;" },
        { role: "user", content: "Explain it." },
      ],
    });
  });

  it("puts every tool result of a turn, in order, before the turn's user text (even text that came first)", () => {
    const body = toOpenAI({}, [
      { role: "assistant", content: [{ type: "tool_use", id: "t1", name: "A", input: {} }, { type: "tool_use", id: "t2", name: "B", input: { x: [1] } }] },
      {
        role: "user",
        content: [
          { type: "text", text: "before" },
          { type: "tool_result", tool_use_id: "t1", content: "one" },
          { type: "tool_result", tool_use_id: "t2", is_error: true, content: [{ type: "text", text: "bad" }, { type: "text", text: "input" }] },
          { type: "text", text: "after" },
        ],
      },
    ]);
    expect(body.messages).toEqual([
      { role: "assistant", content: null, tool_calls: [
        { id: "t1", type: "function", function: { name: "A", arguments: "{}" } },
        { id: "t2", type: "function", function: { name: "B", arguments: '{"x":[1]}' } },
      ] },
      { role: "tool", tool_call_id: "t1", content: "one" },
      { role: "tool", tool_call_id: "t2", content: "Error: bad\ninput" },
      { role: "user", content: [{ type: "text", text: "before" }, { type: "text", text: "after" }] },
    ]);
  });

  it("moves images a tool returned into the turn's user message (tool messages carry text only)", () => {
    const png = { type: "image", source: { type: "base64", media_type: "image/png", data: "iVBORw0KGgo=" } };
    const body = toOpenAI({}, [{ role: "user", content: [{ type: "tool_result", tool_use_id: "t1", content: [{ type: "text", text: "screenshot:" }, png] }] }]);
    expect(body.messages).toEqual([
      { role: "tool", tool_call_id: "t1", content: "screenshot:" },
      { role: "user", content: [{ type: "image_url", image_url: { url: "data:image/png;base64,iVBORw0KGgo=" } }] },
    ]);
  });

  it.each([
    ["base64 image", { type: "image", source: { type: "base64", media_type: "image/jpeg", data: "/9j/4AA" } }, [{ type: "image_url", image_url: { url: "data:image/jpeg;base64,/9j/4AA" } }]],
    ["url image", { type: "image", source: { type: "url", url: "https://x.test/a.png" } }, [{ type: "image_url", image_url: { url: "https://x.test/a.png" } }]],
    ["file-store image (unreachable from OpenAI)", { type: "image", source: { type: "file", file_id: "file_1" } }, []],
    ["base64 PDF", { type: "document", title: "spec.pdf", source: { type: "base64", media_type: "application/pdf", data: "JVBER" } }, [{ type: "file", file: { file_data: "data:application/pdf;base64,JVBER", filename: "spec.pdf" } }]],
    ["text document", { type: "document", source: { type: "text", media_type: "text/plain", data: "plain" } }, [{ type: "text", text: "plain" }]],
    ["unknown block", { type: "container_upload", file_id: "f" }, []],
  ])("maps a user %s", (_name, block, parts) => {
    const body = toOpenAI({}, [{ role: "user", content: [{ type: "text", text: "see" }, block] }]);
    const expected = parts.length === 0 ? "see" : [{ type: "text", text: "see" }, ...parts];
    expect(body.messages).toEqual([{ role: "user", content: expected }]);
  });

  it.each([
    [{ type: "auto" }, "auto", undefined],
    [{ type: "any" }, "required", undefined],
    [{ type: "none" }, "none", undefined],
    [{ type: "tool", name: "Read" }, { type: "function", function: { name: "Read" } }, undefined],
    [{ type: "any", disable_parallel_tool_use: true }, "required", false],
  ])("maps tool_choice %j to %j", (choice, expected, parallel) => {
    const body = toOpenAI({ tools: [READ_TOOL], tool_choice: choice });
    expect(body.tool_choice).toEqual(expected);
    expect(body.parallel_tool_calls).toBe(parallel);
  });

  it("drops hosted tools, and tool_choice with them when no tool is left", () => {
    const body = toOpenAI({ tools: [{ type: "web_search_20250305", name: "web_search" }], tool_choice: { type: "any" } });
    expect(body.tools).toBeUndefined();
    expect(body.tool_choice).toBeUndefined();
  });

  it.each([
    ["engine", { max_tokens: 100, top_k: 40, temperature: 0.2, top_p: 0.9 }],
    ["openai", { max_completion_tokens: 100, temperature: 0.2, top_p: 0.9 }],
  ] as const)("maps sampling for the %s dialect", (dialect, expected) => {
    const body = toOpenAI({ temperature: 0.2, top_p: 0.9, top_k: 40, stop_sequences: ["\n\nHuman:"] }, undefined, { dialect });
    expect(body).toMatchObject({ ...expected, stop: ["\n\nHuman:"] });
    expect(Object.keys(body)).not.toContain(dialect === "engine" ? "max_completion_tokens" : "top_k");
    expect(body.stream).toBeUndefined();
  });

  it.each([
    [{ type: "enabled", budget_tokens: 2048 }, undefined, "low", { enable_thinking: true }],
    [{ type: "enabled", budget_tokens: 10000 }, undefined, "medium", { enable_thinking: true }],
    [{ type: "adaptive" }, { effort: "max" }, "high", { enable_thinking: true }],
    [{ type: "disabled" }, undefined, undefined, { enable_thinking: false }],
    [undefined, undefined, undefined, undefined],
  ])("maps thinking %j (output_config %j) to reasoning_effort %s", (thinking, outputConfig, effort, kwargs) => {
    const body = toOpenAI({ thinking, output_config: outputConfig });
    expect(body.reasoning_effort).toBe(effort);
    expect(body.chat_template_kwargs).toEqual(kwargs);
    const strict = toOpenAI({ thinking, output_config: outputConfig }, undefined, { dialect: "openai" });
    expect(strict.chat_template_kwargs).toBeUndefined();
  });

  it("keeps earlier reasoning for engines only, and continues a prefilled assistant turn", () => {
    const messages = [{ role: "user", content: "hi" }, { role: "assistant", content: [{ type: "thinking", thinking: "hm", signature: "s" }, { type: "text", text: "{" }] }];
    const engine = toOpenAI({}, messages);
    expect(engine.messages[1]).toEqual({ role: "assistant", content: "{", reasoning_content: "hm" });
    expect(engine).toMatchObject({ continue_final_message: true, add_generation_prompt: false });
    const strict = toOpenAI({}, messages, { dialect: "openai" });
    expect(strict.messages[1]).toEqual({ role: "assistant", content: "{" });
    expect(strict.continue_final_message).toBeUndefined();
  });

  it("maps structured output (output_config.format or the beta output_format) to response_format", () => {
    const schema = { type: "object", properties: { a: { type: "string" } } };
    for (const extra of [{ output_config: { format: { type: "json_schema", schema } } }, { output_format: { type: "json_schema", schema } }]) {
      expect(toOpenAI(extra).response_format).toEqual({ type: "json_schema", json_schema: { name: "response", schema } });
    }
  });
});

const completion = (message: Partial<OpenAIChatCompletion["choices"][number]["message"]>, finish: OpenAIChatCompletion["choices"][number]["finish_reason"] = "stop", extra: Partial<OpenAIChatCompletion> = {}): OpenAIChatCompletion => ({
  id: "chatcmpl-9", object: "chat.completion", created: 1, model: "glm-4.5-air",
  choices: [{ index: 0, message: { role: "assistant", content: null, ...message }, finish_reason: finish }],
  usage: { prompt_tokens: 1000, completion_tokens: 50, total_tokens: 1050, prompt_tokens_details: { cached_tokens: 800 } },
  ...extra,
});

describe("OpenAI response → Anthropic message", () => {
  it("builds thinking, text and tool_use blocks with usage split into fresh and cached input", () => {
    const msg = openAIResponseToAnthropic(completion({
      content: "Checking.",
      reasoning_content: "Need the file.",
      tool_calls: [{ id: "call_1", type: "function", function: { name: "Read", arguments: '{"file_path":"/a"}' } }],
    }, "tool_calls"), { model: "claude-sonnet-4-5" });
    expect(msg).toEqual({
      id: "msg_chatcmpl-9", type: "message", role: "assistant", model: "claude-sonnet-4-5",
      content: [
        { type: "thinking", thinking: "Need the file.", signature: SYNTHETIC_THINKING_SIGNATURE },
        { type: "text", text: "Checking." },
        { type: "tool_use", id: "call_1", name: "Read", input: { file_path: "/a" } },
      ],
      stop_reason: "tool_use", stop_sequence: null,
      usage: { input_tokens: 200, output_tokens: 50, cache_creation_input_tokens: 0, cache_read_input_tokens: 800 },
    });
  });

  it.each([
    ["stop", false, "end_turn"], ["length", false, "max_tokens"], ["tool_calls", true, "tool_use"], ["content_filter", false, "refusal"],
    ["stop", true, "tool_use"], // engines that say "stop" after tool calls
    [null, false, "end_turn"],
  ] as const)("maps finish_reason %s (tool calls: %s) to %s", (finish, tools, stop) => {
    const calls = tools ? [{ id: "c", type: "function" as const, function: { name: "f", arguments: "{}" } }] : undefined;
    expect(openAIResponseToAnthropic(completion({ content: "x", tool_calls: calls }, finish)).stop_reason).toBe(stop);
  });

  it.each([
    ["", {}],
    ["  ", {}],
    ['{"a": 1', { [RAW_ARGUMENTS_KEY]: '{"a": 1' }],
    ["[1,2]", { [RAW_ARGUMENTS_KEY]: "[1,2]" }],
    ["not json", { [RAW_ARGUMENTS_KEY]: "not json" }],
  ])("hands unusable arguments %j on sanely", (args, input) => {
    const msg = openAIResponseToAnthropic(completion({ tool_calls: [{ id: "functions.Read:0", type: "function", function: { name: "Read", arguments: args } }] }, "tool_calls"));
    expect(msg.content).toEqual([{ type: "tool_use", id: "functions_Read_0", name: "Read", input }]);
  });

  it("uses vLLM's `reasoning`, the refusal text, a matched stop string, and zeros when usage is missing", () => {
    const msg = openAIResponseToAnthropic({ ...completion({ reasoning: "r", refusal: "I can't help with that." }, "stop", { usage: undefined }), choices: [{ index: 0, message: { role: "assistant", content: null, reasoning: "r", refusal: "I can't help with that." }, finish_reason: "stop", stop_reason: "END" }] });
    expect(msg.content).toEqual([{ type: "thinking", thinking: "r", signature: SYNTHETIC_THINKING_SIGNATURE }, { type: "text", text: "I can't help with that." }]);
    expect(msg.stop_reason).toBe("stop_sequence");
    expect(msg.stop_sequence).toBe("END");
    expect(msg.usage).toEqual({ input_tokens: 0, output_tokens: 0, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 });
  });
});
