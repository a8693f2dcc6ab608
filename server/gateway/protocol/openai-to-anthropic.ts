/**
 * An OpenAI client in front of an Anthropic backend: the request goes OpenAI → Anthropic, the
 * (non-streamed) response comes back Anthropic → OpenAI. Streams: stream-anthropic-to-openai.ts.
 */
import type { AnthropicBlockParam, AnthropicMessageResponse, AnthropicMessagesRequestBody } from "./anthropic-types";
import { parseDataUrl } from "./data-url";
import { ProtocolError } from "./errors";
import { anthropicToolId, newId } from "./ids";
import type { OpenAIChatCompletion, OpenAIChatMessage, OpenAIChatRequest, OpenAIToolCall } from "./openai-types";
import { toOpenAIFinishReason } from "./stop-reasons";
import { parseToolInput } from "./tool-input";
import { toOpenAIUsage } from "./usage";

export interface OpenAIToAnthropicOptions {
  /** The backend's name for the model (routing rewrites it); defaults to the request's. */
  model?: string;
  /** Anthropic requires max_tokens; OpenAI clients often omit it. 4096 fits every Claude model. */
  defaultMaxTokens?: number;
}

type Turn = AnthropicMessagesRequestBody["messages"][number];

export function openAIRequestToAnthropic(req: OpenAIChatRequest, opts: OpenAIToAnthropicOptions = {}): AnthropicMessagesRequestBody {
  if (req.n != null && req.n > 1) throw new ProtocolError(400, "n > 1 is not supported by this model's backend (Anthropic returns one choice)");
  const system: Array<{ type: "text"; text: string }> = [];
  const messages: Turn[] = [];
  for (const m of req.messages) {
    if (m.role === "system" || m.role === "developer") {
      // Anthropic has one system prompt, so instructions from anywhere in the conversation are hoisted.
      const text = plainText(m.content);
      if (text) system.push({ type: "text", text });
    } else if (m.role === "user") {
      appendTurn(messages, "user", userBlocks(m.content));
    } else if (m.role === "tool") {
      appendTurn(messages, "user", [{ type: "tool_result", tool_use_id: anthropicToolId(m.tool_call_id), content: plainText(m.content) }]);
    } else {
      appendTurn(messages, "assistant", assistantBlocks(m));
    }
  }

  const body: AnthropicMessagesRequestBody = {
    model: opts.model ?? req.model,
    max_tokens: req.max_completion_tokens ?? req.max_tokens ?? opts.defaultMaxTokens ?? 4096,
    messages,
  };
  if (system.length > 0) body.system = system;
  const stop = typeof req.stop === "string" ? [req.stop] : req.stop;
  // Anthropic rejects stop sequences that are only whitespace.
  const stops = stop?.filter((s) => s.trim() !== "");
  if (stops && stops.length > 0) body.stop_sequences = stops;
  if (req.stream) body.stream = true;
  if (req.user) body.metadata = { user_id: req.user };
  if (req.top_p != null) body.top_p = req.top_p;
  applyTools(body, req);
  if (!applyThinking(body, req.reasoning_effort)) {
    // OpenAI's temperature runs 0–2, Anthropic's 0–1; thinking forbids setting either knob.
    if (req.temperature != null) body.temperature = Math.min(1, Math.max(0, req.temperature));
    if (req.top_k != null) body.top_k = req.top_k;
  }
  const format = req.response_format;
  if (format?.type === "json_schema" && format.json_schema?.schema) {
    body.output_config = { format: { type: "json_schema", schema: format.json_schema.schema } };
  }
  return body;
}

/** Adds to the last turn when it has the same role: tool results and the user text after them are one Anthropic turn. */
function appendTurn(messages: Turn[], role: Turn["role"], blocks: AnthropicBlockParam[]): void {
  // Anthropic rejects empty turns; an assistant turn with nothing in it carries no information.
  if (blocks.length === 0) return;
  const last = messages[messages.length - 1];
  if (!last || last.role !== role) {
    messages.push({ role, content: blocks });
    return;
  }
  const merged = typeof last.content === "string" ? [{ type: "text" as const, text: last.content }] : last.content;
  for (const b of blocks) {
    if (b.type !== "tool_result") {
      merged.push(b);
      continue;
    }
    // Tool results must open the user turn, ahead of any text.
    let at = 0;
    while (merged[at]?.type === "tool_result") at++;
    merged.splice(at, 0, b);
  }
  last.content = merged;
}

type TextContent = Extract<OpenAIChatMessage, { role: "system" }>["content"];

function plainText(content: TextContent): string {
  if (typeof content === "string") return content;
  let text = "";
  for (const p of content) if (p.type === "text") text += p.text;
  return text;
}

type UserContent = Extract<OpenAIChatMessage, { role: "user" }>["content"];

function userBlocks(content: UserContent): AnthropicBlockParam[] {
  if (typeof content === "string") return content ? [{ type: "text", text: content }] : [];
  const blocks: AnthropicBlockParam[] = [];
  for (const part of content) {
    switch (part.type) {
      case "text":
        if (part.text) blocks.push({ type: "text", text: part.text });
        break;
      case "image_url": {
        const inline = parseDataUrl(part.image_url.url);
        blocks.push({ type: "image", source: inline ? { type: "base64", media_type: inline.mediaType, data: inline.data } : { type: "url", url: part.image_url.url } });
        break;
      }
      case "file": {
        const inline = part.file.file_data ? parseDataUrl(part.file.file_data) : null;
        if (!inline) throw new ProtocolError(400, "only inline files (file_data as a base64 data URL) can be sent to this model's backend");
        blocks.push({ type: "document", source: { type: "base64", media_type: inline.mediaType, data: inline.data } });
        break;
      }
      case "input_audio":
        throw new ProtocolError(400, "audio input is not supported by this model's backend");
      default:
        break; // a part type newer than this gateway: nothing to translate it to
    }
  }
  return blocks;
}

function assistantBlocks(m: Extract<OpenAIChatMessage, { role: "assistant" }>): AnthropicBlockParam[] {
  const blocks: AnthropicBlockParam[] = [];
  // reasoning_content is dropped: Anthropic only accepts thinking blocks it signed itself.
  let text = "";
  if (typeof m.content === "string") text = m.content;
  else for (const p of m.content ?? []) text += p.type === "text" ? p.text : p.type === "refusal" ? p.refusal : "";
  if (!text && m.refusal) text = m.refusal;
  if (text) blocks.push({ type: "text", text });
  for (const call of m.tool_calls ?? []) {
    blocks.push({ type: "tool_use", id: anthropicToolId(call.id), name: call.function.name, input: parseToolInput(call.function.arguments) });
  }
  return blocks;
}

function applyTools(body: AnthropicMessagesRequestBody, req: OpenAIChatRequest): void {
  const tools: NonNullable<AnthropicMessagesRequestBody["tools"]> = [];
  for (const t of req.tools ?? []) {
    if (t.type !== "function") continue; // OpenAI "custom" (grammar) tools have no Anthropic form
    const fn = t.function;
    tools.push({
      name: fn.name,
      ...(fn.description ? { description: fn.description } : {}),
      // Anthropic insists on an object schema with `type`; OpenAI lets clients leave it out.
      input_schema: { ...(fn.parameters ?? { properties: {} }), type: "object" as const },
      ...(fn.strict != null ? { strict: fn.strict } : {}),
    });
  }
  if (tools.length === 0) return;
  body.tools = tools;
  const choice = req.tool_choice;
  const noParallel = req.parallel_tool_calls === false;
  if (choice === "none") body.tool_choice = { type: "none" };
  else if (choice === "required") body.tool_choice = { type: "any", ...(noParallel ? { disable_parallel_tool_use: true } : {}) };
  else if (typeof choice === "object" && choice) body.tool_choice = { type: "tool", name: choice.function.name, ...(noParallel ? { disable_parallel_tool_use: true } : {}) };
  else if (noParallel) body.tool_choice = { type: "auto", disable_parallel_tool_use: true };
  else if (choice === "auto") body.tool_choice = { type: "auto" };
}

const BUDGET: Record<string, number> = { minimal: 1024, low: 2048, medium: 8192, high: 24576, xhigh: 32000, max: 32000 };

/**
 * reasoning_effort becomes a thinking budget. OpenAI's max_completion_tokens counts reasoning too, so
 * the budget is fitted under the client's limit (Anthropic wants budget < max_tokens, ≥ 1024), never
 * the limit raised. Returns whether thinking is on.
 */
function applyThinking(body: AnthropicMessagesRequestBody, effort: string | null | undefined): boolean {
  const wanted = effort ? BUDGET[effort] : undefined;
  if (!wanted) return false;
  const budget = Math.min(wanted, Math.floor(body.max_tokens / 2));
  if (budget < 1024) return false;
  body.thinking = { type: "enabled", budget_tokens: budget };
  return true;
}

export interface AnthropicToOpenAIResponseOptions {
  /** The model name the client should see; defaults to the backend's. */
  model?: string;
  /** Clock for `created` (seconds are derived from it); injectable for tests. */
  now?: () => number;
}

export function anthropicResponseToOpenAI(msg: AnthropicMessageResponse, opts: AnthropicToOpenAIResponseOptions = {}): OpenAIChatCompletion {
  let text = "";
  let reasoning = "";
  const calls: OpenAIToolCall[] = [];
  for (const b of msg.content ?? []) {
    if (b.type === "text") text += b.text;
    else if (b.type === "thinking") reasoning += b.thinking;
    else if (b.type === "tool_use") calls.push({ id: b.id, type: "function", function: { name: b.name, arguments: JSON.stringify(b.input ?? {}) } });
  }
  return {
    id: msg.id ? `chatcmpl-${msg.id}` : newId("chatcmpl-"),
    object: "chat.completion",
    created: Math.floor((opts.now ?? Date.now)() / 1000),
    model: opts.model ?? msg.model,
    choices: [{
      index: 0,
      message: {
        role: "assistant",
        content: text || (calls.length > 0 ? null : ""),
        refusal: null,
        ...(calls.length > 0 ? { tool_calls: calls } : {}),
        ...(reasoning ? { reasoning_content: reasoning } : {}),
      },
      finish_reason: toOpenAIFinishReason(msg.stop_reason),
      logprobs: null,
    }],
    usage: toOpenAIUsage(msg.usage),
  };
}
