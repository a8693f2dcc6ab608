/**
 * Anthropic Messages API shapes. Inbound request bodies are zod schemas (loose: unknown fields pass
 * through, since the adapter may forward them untouched); responses and stream events are plain
 * types, because upstream responses sit on the hot path and are read defensively instead of validated.
 */
import { z } from "zod";
import { jsonObject, openUnion, parseWith, type Parsed } from "./validate";

const cacheControl = z.looseObject({ type: z.string() }).nullish();

export const textBlockSchema = z.looseObject({ type: z.literal("text"), text: z.string(), cache_control: cacheControl });

const base64Source = z.looseObject({ type: z.literal("base64"), media_type: z.string(), data: z.string() });
const urlSource = z.looseObject({ type: z.literal("url"), url: z.string() });
const fileSource = z.looseObject({ type: z.literal("file"), file_id: z.string() });
const plainTextSource = z.looseObject({ type: z.literal("text"), data: z.string(), media_type: z.string().optional() });
const contentSource = z.looseObject({ type: z.literal("content"), content: z.union([z.string(), z.array(textBlockSchema)]) });

const imageBlock = z.looseObject({
  type: z.literal("image"),
  source: z.discriminatedUnion("type", [base64Source, urlSource, fileSource]),
  cache_control: cacheControl,
});
const documentBlock = z.looseObject({
  type: z.literal("document"),
  source: z.discriminatedUnion("type", [base64Source, urlSource, fileSource, plainTextSource, contentSource]),
  title: z.string().nullish(),
  cache_control: cacheControl,
});
const searchResultBlock = z.looseObject({
  type: z.literal("search_result"),
  source: z.string(),
  title: z.string(),
  content: z.array(textBlockSchema),
});
const toolUseBlock = z.looseObject({ type: z.literal("tool_use"), id: z.string().min(1), name: z.string().min(1), input: jsonObject });
const toolResultBlock = z.looseObject({
  type: z.literal("tool_result"),
  tool_use_id: z.string().min(1),
  content: z.union([z.string(), z.array(openUnion([textBlockSchema, imageBlock, documentBlock, searchResultBlock]))]).optional(),
  is_error: z.boolean().nullish(),
  cache_control: cacheControl,
});
const thinkingBlock = z.looseObject({ type: z.literal("thinking"), thinking: z.string(), signature: z.string().optional() });
const redactedThinkingBlock = z.looseObject({ type: z.literal("redacted_thinking"), data: z.string() });

export const contentBlockSchema = openUnion([
  textBlockSchema, imageBlock, documentBlock, searchResultBlock, toolUseBlock, toolResultBlock, thinkingBlock, redactedThinkingBlock,
]);

export const messageSchema = z.looseObject({
  role: z.enum(["user", "assistant"]),
  content: z.union([z.string(), z.array(contentBlockSchema)]),
});

const customTool = z.looseObject({
  type: z.literal("custom").nullish(),
  name: z.string().min(1),
  description: z.string().nullish(),
  input_schema: jsonObject,
  strict: z.boolean().nullish(),
});
/** Anthropic-hosted tools (web_search_20250305, bash_20250124, …): no schema, run by the provider. */
const serverTool = z.looseObject({ type: z.string().refine((t) => t !== "custom", { message: "custom tools need input_schema", abort: true }), name: z.string() });
export const toolSchema = z.union([customTool, serverTool]);

export const toolChoiceSchema = z.discriminatedUnion("type", [
  z.looseObject({ type: z.literal("auto"), disable_parallel_tool_use: z.boolean().nullish() }),
  z.looseObject({ type: z.literal("any"), disable_parallel_tool_use: z.boolean().nullish() }),
  z.looseObject({ type: z.literal("tool"), name: z.string().min(1), disable_parallel_tool_use: z.boolean().nullish() }),
  z.looseObject({ type: z.literal("none") }),
]);

/** enabled | disabled | adaptive | …: kept open because new modes keep arriving. */
const thinkingConfig = z.looseObject({ type: z.string(), budget_tokens: z.number().int().positive().nullish() });
const outputFormat = z.looseObject({ type: z.string(), schema: jsonObject.nullish() });

const baseRequest = {
  model: z.string().min(1),
  messages: z.array(messageSchema).min(1),
  system: z.union([z.string(), z.array(textBlockSchema)]).nullish(),
  tools: z.array(toolSchema).nullish(),
  tool_choice: toolChoiceSchema.nullish(),
  thinking: thinkingConfig.nullish(),
  output_config: z.looseObject({ effort: z.string().nullish(), format: outputFormat.nullish() }).nullish(),
  /** The structured-outputs beta's older spelling of output_config.format. */
  output_format: outputFormat.nullish(),
};

export const messagesRequestSchema = z.looseObject({
  ...baseRequest,
  max_tokens: z.number().int().positive(),
  stop_sequences: z.array(z.string()).nullish(),
  stream: z.boolean().nullish(),
  temperature: z.number().nullish(),
  top_p: z.number().nullish(),
  top_k: z.number().int().nullish(),
  metadata: z.looseObject({ user_id: z.string().nullish() }).nullish(),
});
export const countTokensRequestSchema = z.looseObject(baseRequest);

export type AnthropicMessagesRequest = z.output<typeof messagesRequestSchema>;
export type AnthropicCountTokensRequest = z.output<typeof countTokensRequestSchema>;
export type AnthropicMessageParam = z.output<typeof messageSchema>;
export type AnthropicContentBlock = z.output<typeof contentBlockSchema>;
export type AnthropicTextBlock = z.output<typeof textBlockSchema>;
export type AnthropicTool = z.output<typeof toolSchema>;
export type AnthropicCustomTool = z.output<typeof customTool>;
export type AnthropicToolChoice = z.output<typeof toolChoiceSchema>;

export const parseAnthropicMessagesRequest = (body: unknown): Parsed<AnthropicMessagesRequest> => parseWith(messagesRequestSchema, body);
export const parseAnthropicCountTokensRequest = (body: unknown): Parsed<AnthropicCountTokensRequest> => parseWith(countTokensRequestSchema, body);

export function isCustomTool(tool: AnthropicTool): tool is AnthropicCustomTool {
  return (tool.type == null || tool.type === "custom") && "input_schema" in tool;
}

// ---- What we send to an Anthropic backend (openai-to-anthropic builds these) ----

export type AnthropicBlockParam =
  | { type: "text"; text: string }
  | { type: "image"; source: AnthropicSourceParam }
  | { type: "document"; source: AnthropicSourceParam }
  | { type: "tool_use"; id: string; name: string; input: Record<string, unknown> }
  | { type: "tool_result"; tool_use_id: string; content: string | Array<{ type: "text"; text: string } | { type: "image"; source: AnthropicSourceParam }>; is_error?: boolean };
export type AnthropicSourceParam = { type: "base64"; media_type: string; data: string } | { type: "url"; url: string };

export interface AnthropicMessagesRequestBody {
  model: string;
  max_tokens: number;
  messages: Array<{ role: "user" | "assistant"; content: string | AnthropicBlockParam[] }>;
  system?: Array<{ type: "text"; text: string }>;
  tools?: Array<{ name: string; description?: string; input_schema: { type: "object"; [key: string]: unknown }; strict?: boolean }>;
  tool_choice?: { type: "auto" | "any" | "none"; disable_parallel_tool_use?: boolean } | { type: "tool"; name: string; disable_parallel_tool_use?: boolean };
  thinking?: { type: "enabled"; budget_tokens: number };
  output_config?: { format: { type: "json_schema"; schema: Record<string, unknown> } };
  stop_sequences?: string[];
  stream?: boolean;
  temperature?: number;
  top_p?: number;
  top_k?: number;
  metadata?: { user_id: string };
}

// ---- Responses and stream events (what a backend returns, or what we return to clients) ----

export type AnthropicStopReason =
  | "end_turn" | "max_tokens" | "stop_sequence" | "tool_use" | "pause_turn" | "refusal" | "model_context_window_exceeded";

export interface AnthropicUsage {
  input_tokens: number;
  output_tokens: number;
  cache_creation_input_tokens?: number | null;
  cache_read_input_tokens?: number | null;
}

export type AnthropicResponseBlock =
  | { type: "text"; text: string }
  | { type: "thinking"; thinking: string; signature: string }
  | { type: "redacted_thinking"; data: string }
  | { type: "tool_use"; id: string; name: string; input: Record<string, unknown> };

/** message_delta usage: output_tokens always; the other counters only when the server restates them. */
export type AnthropicDeltaUsage = Partial<AnthropicUsage> & { output_tokens: number };

export interface AnthropicMessageResponse {
  id: string;
  type: "message";
  role: "assistant";
  model: string;
  content: AnthropicResponseBlock[];
  stop_reason: AnthropicStopReason | null;
  stop_sequence: string | null;
  usage: AnthropicUsage;
}

export type AnthropicBlockDelta =
  | { type: "text_delta"; text: string }
  | { type: "input_json_delta"; partial_json: string }
  | { type: "thinking_delta"; thinking: string }
  | { type: "signature_delta"; signature: string };

export type AnthropicErrorType =
  | "invalid_request_error" | "authentication_error" | "billing_error" | "permission_error" | "not_found_error"
  | "request_too_large" | "rate_limit_error" | "timeout_error" | "api_error" | "overloaded_error";

export interface AnthropicErrorBody {
  type: "error";
  error: { type: AnthropicErrorType; message: string };
}

export type AnthropicStreamEvent =
  | { type: "message_start"; message: AnthropicMessageResponse }
  | { type: "content_block_start"; index: number; content_block: AnthropicResponseBlock }
  | { type: "content_block_delta"; index: number; delta: AnthropicBlockDelta }
  | { type: "content_block_stop"; index: number }
  | { type: "message_delta"; delta: { stop_reason: AnthropicStopReason | null; stop_sequence: string | null }; usage: AnthropicDeltaUsage }
  | { type: "message_stop" }
  | { type: "ping" }
  | AnthropicErrorBody;
