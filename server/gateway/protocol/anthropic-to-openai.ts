/**
 * An Anthropic client in front of an OpenAI-compatible backend: the request goes Anthropic → OpenAI,
 * the (non-streamed) response comes back OpenAI → Anthropic. Streams: stream-openai-to-anthropic.ts.
 */
import type { AnthropicContentBlock, AnthropicMessageParam, AnthropicMessageResponse, AnthropicMessagesRequest, AnthropicResponseBlock } from "./anthropic-types";
import { isCustomTool } from "./anthropic-types";
import { toDataUrl } from "./data-url";
import { anthropicToolId, newId } from "./ids";
import type { OpenAIChatCompletion, OpenAIChatRequestBody, OpenAIMessageParam, OpenAIToolCall, OpenAIUserPart } from "./openai-types";
import { toAnthropicStop } from "./stop-reasons";
import { parseToolInput } from "./tool-input";
import { SYNTHETIC_THINKING_SIGNATURE } from "./unsigned-thinking";
import { toAnthropicUsage } from "./usage";

/**
 * "engine": vLLM, SGLang, llama.cpp — they accept top_k, chat_template_kwargs, reasoning_content in
 * history and assistant prefill. "openai": the OpenAI API itself, which rejects unknown fields.
 */
export type OpenAIDialect = "engine" | "openai";

export interface AnthropicToOpenAIOptions {
  /** The backend's name for the model (routing rewrites it); defaults to the request's. */
  model?: string;
  dialect?: OpenAIDialect;
}

export function anthropicRequestToOpenAI(req: AnthropicMessagesRequest, opts: AnthropicToOpenAIOptions = {}): OpenAIChatRequestBody {
  const engine = (opts.dialect ?? "engine") === "engine";
  const messages: OpenAIMessageParam[] = [];
  const system = systemText(req.system);
  if (system) messages.push({ role: "system", content: system });
  for (const m of req.messages) pushTurn(messages, m, engine);

  const body: OpenAIChatRequestBody = { model: opts.model ?? req.model, messages };
  // The OpenAI API refuses max_tokens for reasoning models; engines all take max_tokens, not all the newer name.
  if (engine) body.max_tokens = req.max_tokens;
  else body.max_completion_tokens = req.max_tokens;
  if (req.temperature != null) body.temperature = req.temperature;
  if (req.top_p != null) body.top_p = req.top_p;
  if (engine && req.top_k != null) body.top_k = req.top_k;
  if (req.stop_sequences && req.stop_sequences.length > 0) body.stop = req.stop_sequences;
  if (req.metadata?.user_id) body.user = req.metadata.user_id;
  if (req.stream) {
    body.stream = true;
    // Anthropic reports usage on every stream; OpenAI only when asked, in a trailing chunk.
    body.stream_options = { include_usage: true };
  }
  applyTools(body, req, engine);
  applyThinking(body, req, engine);
  const format = req.output_config?.format ?? req.output_format;
  if (format?.type === "json_schema" && format.schema) {
    body.response_format = { type: "json_schema", json_schema: { name: "response", schema: format.schema } };
  }
  const last = messages[messages.length - 1];
  if (engine && last?.role === "assistant" && !last.tool_calls && last.content) {
    // Anthropic "prefill": the reply continues the final assistant turn instead of starting a new one.
    body.continue_final_message = true;
    body.add_generation_prompt = false;
  }
  return body;
}

function systemText(system: AnthropicMessagesRequest["system"]): string {
  if (system == null) return "";
  if (typeof system === "string") return system;
  return system.map((b) => b.text).join("\n\n");
}

function pushTurn(out: OpenAIMessageParam[], m: AnthropicMessageParam, engine: boolean): void {
  if (typeof m.content === "string") {
    out.push({ role: m.role, content: m.content });
    return;
  }
  if (m.role === "assistant") out.push(assistantMessage(m.content, engine));
  else pushUserTurn(out, m.content);
}

/** Tool results become role:"tool" messages, emitted before the turn's own user message. */
function pushUserTurn(out: OpenAIMessageParam[], blocks: AnthropicContentBlock[]): void {
  const parts: OpenAIUserPart[] = [];
  for (const block of blocks) {
    if (block.type === "tool_result") {
      out.push({ role: "tool", tool_call_id: block.tool_use_id, content: toolResultText(block, parts) });
    } else {
      pushUserPart(parts, block);
    }
  }
  if (parts.length === 0) return;
  const only = parts[0];
  // Plain string content suits every chat template; arrays only where there is more than one part.
  out.push({ role: "user", content: parts.length === 1 && only?.type === "text" ? only.text : parts });
}

type ResultBlock = Extract<AnthropicContentBlock, { type: "tool_result" }>;
type ResultPart = Exclude<ResultBlock["content"], string | undefined>[number];

/** Tool messages carry text only; images a tool returned ride along in the turn's user message. */
function toolResultText(block: ResultBlock, images: OpenAIUserPart[]): string {
  let text = "";
  if (typeof block.content === "string") {
    text = block.content;
  } else if (block.content) {
    const parts: OpenAIUserPart[] = [];
    for (const part of block.content) pushUserPart(parts, part);
    for (const part of parts) {
      if (part.type === "text") text += (text ? "\n" : "") + part.text;
      else images.push(part);
    }
  }
  return block.is_error ? `Error: ${text}` : text;
}

function pushUserPart(parts: OpenAIUserPart[], block: AnthropicContentBlock | ResultPart): void {
  switch (block.type) {
    case "text":
      parts.push({ type: "text", text: block.text });
      return;
    case "image": {
      const src = block.source;
      if (src.type === "base64") parts.push({ type: "image_url", image_url: { url: toDataUrl(src.media_type, src.data) } });
      else if (src.type === "url") parts.push({ type: "image_url", image_url: { url: src.url } });
      return; // "file" sources name Anthropic's file store, which an OpenAI backend cannot read
    }
    case "document": {
      const src = block.source;
      const title = block.title ? `${block.title}\n` : "";
      if (src.type === "base64") parts.push({ type: "file", file: { file_data: toDataUrl(src.media_type, src.data), filename: block.title ?? "document.pdf" } });
      else if (src.type === "text") parts.push({ type: "text", text: title + src.data });
      else if (src.type === "content") parts.push({ type: "text", text: title + (typeof src.content === "string" ? src.content : src.content.map((b) => b.text).join("\n")) });
      else if (src.type === "url") parts.push({ type: "text", text: `${title}(document at ${src.url})` });
      return;
    }
    case "search_result":
      parts.push({ type: "text", text: `${block.title} (${block.source})\n${block.content.map((b) => b.text).join("\n")}` });
      return;
    default:
      // thinking in a user turn, hosted-tool blocks, unknown types: nothing an OpenAI backend can take
      return;
  }
}

function assistantMessage(blocks: AnthropicContentBlock[], engine: boolean): OpenAIMessageParam {
  let text = "";
  let reasoning = "";
  const calls: OpenAIToolCall[] = [];
  for (const b of blocks) {
    if (b.type === "text") text += b.text;
    else if (b.type === "thinking") reasoning += b.thinking;
    else if (b.type === "tool_use") calls.push({ id: b.id, type: "function", function: { name: b.name, arguments: JSON.stringify(b.input) } });
  }
  const msg: Extract<OpenAIMessageParam, { role: "assistant" }> = { role: "assistant", content: text || (calls.length > 0 ? null : "") };
  if (calls.length > 0) msg.tool_calls = calls;
  // Engines' chat templates (Qwen3, GLM, DeepSeek) can render earlier reasoning; OpenAI would reject the field.
  if (engine && reasoning) msg.reasoning_content = reasoning;
  return msg;
}

function applyTools(body: OpenAIChatRequestBody, req: AnthropicMessagesRequest, engine: boolean): void {
  // Hosted tools (web search, code execution) run at Anthropic; an OpenAI backend has nothing to run them with.
  const tools = (req.tools ?? []).filter(isCustomTool);
  if (tools.length === 0) return;
  body.tools = tools.map((t) => ({
    type: "function" as const,
    function: {
      name: t.name,
      ...(t.description ? { description: t.description } : {}),
      parameters: t.input_schema,
      ...(!engine && t.strict != null ? { strict: t.strict } : {}),
    },
  }));
  const choice = req.tool_choice;
  if (!choice) return;
  if (choice.type === "auto") body.tool_choice = "auto";
  else if (choice.type === "any") body.tool_choice = "required";
  else if (choice.type === "none") body.tool_choice = "none";
  else body.tool_choice = { type: "function", function: { name: choice.name } };
  if (choice.type !== "none" && choice.disable_parallel_tool_use) body.parallel_tool_calls = false;
}

/**
 * Anthropic's thinking budget becomes an effort level (OpenAI, gpt-oss on vLLM) and, for engines,
 * chat_template_kwargs.enable_thinking (Qwen3, GLM-4.5 and similar templates switch on it). No
 * thinking field leaves the engine's default alone; an explicit "disabled" switches it off.
 */
function applyThinking(body: OpenAIChatRequestBody, req: AnthropicMessagesRequest, engine: boolean): void {
  const thinking = req.thinking;
  if (!thinking) return;
  if (thinking.type === "disabled") {
    if (engine) body.chat_template_kwargs = { enable_thinking: false };
    return;
  }
  if (thinking.type !== "enabled" && thinking.type !== "adaptive") return;
  body.reasoning_effort = effortFor(req.output_config?.effort, thinking.budget_tokens);
  if (engine) body.chat_template_kwargs = { enable_thinking: true };
}

function effortFor(effort: string | null | undefined, budget: number | null | undefined): "low" | "medium" | "high" {
  if (effort === "low" || effort === "medium" || effort === "high") return effort;
  if (effort === "xhigh" || effort === "max") return "high";
  if (budget == null) return "medium";
  return budget <= 4096 ? "low" : budget <= 16384 ? "medium" : "high";
}

export interface OpenAIToAnthropicResponseOptions {
  /** The model name the client should see; defaults to the backend's. */
  model?: string;
}

export function openAIResponseToAnthropic(completion: OpenAIChatCompletion, opts: OpenAIToAnthropicResponseOptions = {}): AnthropicMessageResponse {
  const choice = completion.choices?.[0];
  const msg = choice?.message;
  const content: AnthropicResponseBlock[] = [];
  const reasoning = msg?.reasoning_content ?? msg?.reasoning;
  if (reasoning) content.push({ type: "thinking", thinking: reasoning, signature: SYNTHETIC_THINKING_SIGNATURE });
  const text = typeof msg?.content === "string" && msg.content ? msg.content : msg?.refusal;
  if (text) content.push({ type: "text", text });
  for (const call of msg?.tool_calls ?? []) {
    content.push({ type: "tool_use", id: anthropicToolId(call.id), name: call.function?.name ?? "", input: parseToolInput(call.function?.arguments) });
  }
  const sawToolUse = content.some((b) => b.type === "tool_use");
  return {
    id: completion.id ? `msg_${completion.id}` : newId("msg_"),
    type: "message",
    role: "assistant",
    model: opts.model ?? completion.model,
    content,
    ...toAnthropicStop(choice?.finish_reason, sawToolUse, choice?.stop_reason),
    usage: toAnthropicUsage(completion.usage),
  };
}
