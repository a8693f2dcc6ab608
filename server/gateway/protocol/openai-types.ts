/**
 * OpenAI Chat Completions shapes. Inbound bodies are loose zod schemas (clients send many fields we
 * only forward, and explicit nulls for "unset"); responses and chunks are plain types read
 * defensively, since engines (vLLM, SGLang, llama.cpp) each omit or add fields of their own.
 */
import { z } from "zod";
import { jsonObject, openUnion, parseWith, type Parsed } from "./validate";

const textPart = z.looseObject({ type: z.literal("text"), text: z.string() });
const imagePart = z.looseObject({ type: z.literal("image_url"), image_url: z.looseObject({ url: z.string(), detail: z.string().nullish() }) });
const audioPart = z.looseObject({ type: z.literal("input_audio"), input_audio: z.looseObject({ data: z.string(), format: z.string() }) });
const filePart = z.looseObject({
  type: z.literal("file"),
  file: z.looseObject({ file_data: z.string().nullish(), file_id: z.string().nullish(), filename: z.string().nullish() }),
});
const refusalPart = z.looseObject({ type: z.literal("refusal"), refusal: z.string() });

const textContent = z.union([z.string(), z.array(openUnion([textPart]))]);

const toolCall = z.looseObject({
  id: z.string().min(1),
  type: z.literal("function").nullish(),
  function: z.looseObject({ name: z.string().min(1), arguments: z.string() }),
});

export const chatMessageSchema = z.discriminatedUnion("role", [
  z.looseObject({ role: z.literal("system"), content: textContent }),
  z.looseObject({ role: z.literal("developer"), content: textContent }),
  z.looseObject({ role: z.literal("user"), content: z.union([z.string(), z.array(openUnion([textPart, imagePart, audioPart, filePart]))]) }),
  z.looseObject({
    role: z.literal("assistant"),
    content: z.union([z.string(), z.array(openUnion([textPart, refusalPart]))]).nullish(),
    tool_calls: z.array(toolCall).nullish(),
    refusal: z.string().nullish(),
    reasoning_content: z.string().nullish(),
    reasoning: z.string().nullish(),
  }),
  z.looseObject({ role: z.literal("tool"), tool_call_id: z.string().min(1), content: textContent }),
]);

const functionTool = z.looseObject({
  type: z.literal("function"),
  function: z.looseObject({ name: z.string().min(1), description: z.string().nullish(), parameters: jsonObject.nullish(), strict: z.boolean().nullish() }),
});

export const chatRequestSchema = z.looseObject({
  model: z.string().min(1),
  messages: z.array(chatMessageSchema).min(1),
  tools: z.array(openUnion([functionTool])).nullish(),
  tool_choice: z.union([
    z.enum(["none", "auto", "required"]),
    z.looseObject({ type: z.literal("function"), function: z.looseObject({ name: z.string().min(1) }) }),
  ]).nullish(),
  parallel_tool_calls: z.boolean().nullish(),
  stream: z.boolean().nullish(),
  stream_options: z.looseObject({ include_usage: z.boolean().nullish() }).nullish(),
  max_tokens: z.number().int().positive().nullish(),
  max_completion_tokens: z.number().int().positive().nullish(),
  temperature: z.number().nullish(),
  top_p: z.number().nullish(),
  top_k: z.number().int().nullish(),
  n: z.number().int().positive().nullish(),
  stop: z.union([z.string(), z.array(z.string())]).nullish(),
  user: z.string().nullish(),
  reasoning_effort: z.string().nullish(),
  response_format: z.looseObject({
    type: z.string(),
    json_schema: z.looseObject({ name: z.string().nullish(), schema: jsonObject.nullish(), strict: z.boolean().nullish() }).nullish(),
  }).nullish(),
});

export type OpenAIChatRequest = z.output<typeof chatRequestSchema>;
export type OpenAIChatMessage = z.output<typeof chatMessageSchema>;

export const parseOpenAIChatRequest = (body: unknown): Parsed<OpenAIChatRequest> => parseWith(chatRequestSchema, body);

// ---- What we send to an OpenAI-compatible backend (anthropic-to-openai builds these) ----

export type OpenAIUserPart =
  | { type: "text"; text: string }
  | { type: "image_url"; image_url: { url: string } }
  | { type: "file"; file: { file_data: string; filename?: string } };

export type OpenAIMessageParam =
  | { role: "system"; content: string }
  | { role: "user"; content: string | OpenAIUserPart[] }
  | { role: "assistant"; content: string | null; tool_calls?: OpenAIToolCall[]; reasoning_content?: string }
  | { role: "tool"; tool_call_id: string; content: string };

export interface OpenAIChatRequestBody {
  model: string;
  messages: OpenAIMessageParam[];
  max_tokens?: number;
  max_completion_tokens?: number;
  temperature?: number;
  top_p?: number;
  top_k?: number;
  stop?: string[];
  stream?: boolean;
  stream_options?: { include_usage: boolean };
  tools?: Array<{ type: "function"; function: { name: string; description?: string; parameters: Record<string, unknown>; strict?: boolean } }>;
  tool_choice?: "auto" | "none" | "required" | { type: "function"; function: { name: string } };
  parallel_tool_calls?: boolean;
  user?: string;
  reasoning_effort?: "low" | "medium" | "high";
  response_format?: { type: "json_schema"; json_schema: { name: string; schema: Record<string, unknown>; strict?: boolean } };
  /** Engine extensions (vLLM, SGLang, llama.cpp): sent only to engine backends. */
  chat_template_kwargs?: Record<string, unknown>;
  continue_final_message?: boolean;
  add_generation_prompt?: boolean;
}

// ---- Responses and stream chunks ----

export type OpenAIFinishReason = "stop" | "length" | "tool_calls" | "content_filter" | "function_call";

export interface OpenAIUsage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  prompt_tokens_details?: { cached_tokens?: number | null } | null;
  completion_tokens_details?: { reasoning_tokens?: number | null } | null;
  /** DeepSeek's spelling of cached prompt tokens. */
  prompt_cache_hit_tokens?: number | null;
}

export interface OpenAIToolCall {
  id: string;
  type: "function";
  function: { name: string; arguments: string };
}

export interface OpenAIChatCompletion {
  id: string;
  object: "chat.completion";
  created: number;
  model: string;
  choices: Array<{
    index: number;
    message: {
      role: "assistant";
      content: string | null;
      refusal?: string | null;
      tool_calls?: OpenAIToolCall[] | null;
      /** llama.cpp, SGLang and older vLLM use reasoning_content; newer vLLM and OpenRouter use reasoning. */
      reasoning_content?: string | null;
      reasoning?: string | null;
    };
    finish_reason: OpenAIFinishReason | null;
    logprobs?: null;
    /** vLLM: the stop string that ended generation (a number for a stop token id). */
    stop_reason?: string | number | null;
  }>;
  usage?: OpenAIUsage | null;
}

export interface OpenAIToolCallDelta {
  index?: number;
  id?: string | null;
  type?: "function" | null;
  function?: { name?: string | null; arguments?: string | null } | null;
}

export interface OpenAIChunkDelta {
  role?: "assistant" | null;
  content?: string | null;
  reasoning_content?: string | null;
  reasoning?: string | null;
  refusal?: string | null;
  tool_calls?: OpenAIToolCallDelta[] | null;
}

export interface OpenAIChatChunk {
  id: string;
  object: "chat.completion.chunk";
  created: number;
  model: string;
  choices: Array<{
    index: number;
    delta: OpenAIChunkDelta;
    finish_reason: OpenAIFinishReason | null;
    logprobs?: null;
    stop_reason?: string | number | null;
  }>;
  usage?: OpenAIUsage | null;
}

export interface OpenAIErrorBody {
  error: { message: string; type: string; param: string | null; code: string | null };
}
