/**
 * Thinking that did not come from Anthropic carries no signature Anthropic accepts, and Anthropic
 * rejects a whole request that replays one ("Invalid signature in thinking block"). That is what breaks
 * a Claude Code session failing back from a local model to the cloud. Translated thinking gets a
 * recognisable signature; before such a conversation goes to an Anthropic backend, the adapter drops it.
 */
import type { AnthropicContentBlock, AnthropicMessagesRequest } from "./anthropic-types";

export const SYNTHETIC_THINKING_SIGNATURE = "switchyard-unsigned";

/** Ours, or empty/missing (what other gateways and engines' Anthropic endpoints send). */
function isUnsigned(block: AnthropicContentBlock): boolean {
  return block.type === "thinking" && (!block.signature || block.signature === SYNTHETIC_THINKING_SIGNATURE);
}

export function hasUnsignedThinking(req: Pick<AnthropicMessagesRequest, "messages">): boolean {
  for (const m of req.messages) {
    if (m.role === "assistant" && typeof m.content !== "string" && m.content.some(isUnsigned)) return true;
  }
  return false;
}

/**
 * A copy without unsigned thinking blocks (untouched messages are shared, not cloned). Assistant turns
 * left empty are dropped. Anthropic requires the last assistant turn to open with thinking while
 * thinking is enabled, so if that turn lost its thinking, thinking is switched off for this request.
 */
export function stripUnsignedThinking<T extends Pick<AnthropicMessagesRequest, "messages" | "thinking">>(req: T): T {
  let lastAssistant = -1;
  req.messages.forEach((m, i) => { if (m.role === "assistant") lastAssistant = i; });
  let lastLostThinking = false;
  const messages: T["messages"] = [];
  req.messages.forEach((m, i) => {
    if (m.role !== "assistant" || typeof m.content === "string" || !m.content.some(isUnsigned)) {
      messages.push(m);
      return;
    }
    if (i === lastAssistant) lastLostThinking = true;
    const content = m.content.filter((b) => !isUnsigned(b));
    if (content.length > 0) messages.push({ ...m, content });
  });
  const out = { ...req, messages };
  if (lastLostThinking && req.thinking && req.thinking.type !== "disabled") delete out.thinking;
  return out;
}
