/** Why generation ended, in each protocol's words. Shared by the whole-response and stream translators. */
import type { AnthropicStopReason } from "./anthropic-types";
import type { OpenAIFinishReason } from "./openai-types";

export interface AnthropicStop {
  stop_reason: AnthropicStopReason;
  stop_sequence: string | null;
}

/**
 * `sawToolUse` wins over "stop" and a missing reason: several engines report "stop" for a turn that
 * ends in tool calls, and Claude Code only runs tools when the turn says tool_use. `matchedStop` is
 * vLLM's `stop_reason` (the stop string that matched), the only way to report stop_sequence.
 */
export function toAnthropicStop(finish: string | null | undefined, sawToolUse: boolean, matchedStop?: unknown): AnthropicStop {
  switch (finish) {
    case "length":
      return { stop_reason: "max_tokens", stop_sequence: null };
    case "content_filter":
      return { stop_reason: "refusal", stop_sequence: null };
    case "tool_calls":
    case "function_call":
      return { stop_reason: "tool_use", stop_sequence: null };
  }
  if (sawToolUse) return { stop_reason: "tool_use", stop_sequence: null };
  if (typeof matchedStop === "string" && matchedStop.length > 0) return { stop_reason: "stop_sequence", stop_sequence: matchedStop };
  return { stop_reason: "end_turn", stop_sequence: null };
}

export function toOpenAIFinishReason(stop: string | null | undefined): OpenAIFinishReason {
  switch (stop) {
    case "max_tokens":
    case "model_context_window_exceeded":
      return "length";
    case "tool_use":
      return "tool_calls";
    case "refusal":
      return "content_filter";
    default: // end_turn, stop_sequence, pause_turn, or a reason newer than this file
      return "stop";
  }
}
