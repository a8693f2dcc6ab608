/**
 * An ESTIMATE of a request's input tokens, for `/v1/messages/count_tokens` when the backend has no
 * tokenizer endpoint, and for message_start's input_tokens before the real count arrives. It is a
 * heuristic, not a tokenizer: expect ±20 % on prose, more on code or non-Latin scripts.
 *
 *   text (prompt, system, tool results, tool inputs, tool schemas as JSON)   chars / 3.5
 *   each message                                                            + 3   (role and turn markers)
 *   tools present                                                           + 346 (Anthropic's documented
 *                                                                                  tool-use system prompt)
 *   each tool                                                               + 10  (name/description framing)
 *   each image                                                              1,600 (Anthropic's cap: images
 *                                                                                  are scaled to ≤ 1.15 MP, w·h/750)
 *   each PDF                                                                2,000 per 75 KB (≈ one page of
 *                                                                                  text plus its page image)
 *   thinking in earlier assistant turns                                     0     (Anthropic drops it from context)
 */
import type { AnthropicContentBlock, AnthropicCountTokensRequest } from "./anthropic-types";

export const CHARS_PER_TOKEN = 3.5;
const PER_MESSAGE = 3;
const TOOLS_PREAMBLE = 346;
const PER_TOOL = 10;
const PER_IMAGE = 1600;
const PER_PDF_CHUNK = 2000;
const PDF_CHUNK_BYTES = 75_000;

interface Tally {
  chars: number;
  tokens: number;
}

export function estimateInputTokens(req: Pick<AnthropicCountTokensRequest, "messages" | "system" | "tools">): number {
  const t: Tally = { chars: 0, tokens: 0 };
  if (typeof req.system === "string") t.chars += req.system.length;
  else if (req.system) for (const b of req.system) t.chars += b.text.length;
  if (req.tools && req.tools.length > 0) {
    t.tokens += TOOLS_PREAMBLE + PER_TOOL * req.tools.length;
    t.chars += JSON.stringify(req.tools).length;
  }
  let lastAssistant = -1;
  req.messages.forEach((m, i) => { if (m.role === "assistant") lastAssistant = i; });
  req.messages.forEach((m, i) => {
    t.tokens += PER_MESSAGE;
    if (typeof m.content === "string") t.chars += m.content.length;
    else for (const b of m.content) countBlock(t, b, i === lastAssistant);
  });
  return t.tokens + Math.ceil(t.chars / CHARS_PER_TOKEN);
}

type Countable = AnthropicContentBlock | Exclude<Extract<AnthropicContentBlock, { type: "tool_result" }>["content"], string | undefined>[number];

function countBlock(t: Tally, b: Countable, thinkingCounts: boolean): void {
  switch (b.type) {
    case "text":
      t.chars += b.text.length;
      return;
    case "image":
      t.tokens += PER_IMAGE;
      return;
    case "document": {
      const src = b.source;
      if (src.type === "base64") t.tokens += PER_PDF_CHUNK * Math.max(1, Math.ceil((src.data.length * 0.75) / PDF_CHUNK_BYTES));
      else if (src.type === "text") t.chars += src.data.length;
      else if (src.type === "content") t.chars += JSON.stringify(src.content).length;
      else t.tokens += PER_PDF_CHUNK;
      return;
    }
    case "search_result":
      t.chars += b.title.length + b.source.length + JSON.stringify(b.content).length;
      return;
    case "tool_use":
      t.chars += b.name.length + JSON.stringify(b.input).length;
      return;
    case "tool_result":
      if (typeof b.content === "string") t.chars += b.content.length;
      else if (b.content) for (const part of b.content) countBlock(t, part, thinkingCounts);
      return;
    case "thinking":
      if (thinkingCounts) t.chars += b.thinking.length;
      return;
    case "redacted_thinking":
      return;
    default:
      // A block type newer than this file: its JSON is the best size we have.
      t.chars += JSON.stringify(b).length;
  }
}
