/**
 * Token usage, both ways. OpenAI's prompt_tokens include cached tokens; Anthropic's input_tokens
 * exclude them (cache reads and writes are reported beside it), so the split has to be undone/redone.
 */
import type { AnthropicUsage } from "./anthropic-types";
import type { OpenAIUsage } from "./openai-types";

export interface FullAnthropicUsage extends AnthropicUsage {
  cache_creation_input_tokens: number;
  cache_read_input_tokens: number;
}

export function toAnthropicUsage(usage: OpenAIUsage | null | undefined): FullAnthropicUsage {
  const prompt = num(usage?.prompt_tokens);
  const cached = Math.min(prompt, num(usage?.prompt_tokens_details?.cached_tokens ?? usage?.prompt_cache_hit_tokens));
  return {
    input_tokens: prompt - cached,
    output_tokens: num(usage?.completion_tokens),
    cache_creation_input_tokens: 0,
    cache_read_input_tokens: cached,
  };
}

export function toOpenAIUsage(usage: Partial<AnthropicUsage> | null | undefined): OpenAIUsage {
  const cacheRead = num(usage?.cache_read_input_tokens);
  const prompt = num(usage?.input_tokens) + cacheRead + num(usage?.cache_creation_input_tokens);
  const completion = num(usage?.output_tokens);
  return {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: prompt + completion,
    prompt_tokens_details: { cached_tokens: cacheRead },
  };
}

function num(value: number | null | undefined): number {
  return typeof value === "number" && Number.isFinite(value) && value > 0 ? value : 0;
}

/** Token counts for the request log, whichever protocol reported them. */
export interface TokenCounts {
  /** All prompt tokens, cached ones included. */
  input: number;
  output: number;
  cached: number;
}

export function countsFromOpenAI(usage: OpenAIUsage): TokenCounts {
  const a = toAnthropicUsage(usage);
  return { input: a.input_tokens + a.cache_read_input_tokens, output: a.output_tokens, cached: a.cache_read_input_tokens };
}

export function countsFromAnthropic(usage: Partial<AnthropicUsage>): TokenCounts {
  const o = toOpenAIUsage(usage);
  return { input: o.prompt_tokens, output: o.completion_tokens, cached: o.prompt_tokens_details?.cached_tokens ?? 0 };
}
