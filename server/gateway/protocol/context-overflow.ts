/**
 * "The prompt does not fit the model's context", in each server's words. Clients recover from this
 * error by matching its wording: Claude Code compacts the conversation on Anthropic's
 * "prompt is too long: N tokens > M maximum"; OpenAI clients look for code context_length_exceeded.
 * So when such an error crosses protocols, it is restated in the client's protocol's words.
 */

export interface ContextOverflow {
  tokens: number | null;
  max: number | null;
}

const PATTERNS: Array<{ re: RegExp; tokens: number; max: number }> = [
  // Anthropic: "prompt is too long: 208310 tokens > 200000 maximum"
  { re: /prompt is too long: (\d+) tokens > (\d+) maximum/i, tokens: 1, max: 2 },
  // llama.cpp: "request (14054 tokens) exceeds the available context size (512 tokens)"
  { re: /request \((\d+) tokens\) exceeds the available context size \((\d+) tokens\)/i, tokens: 1, max: 2 },
  // SGLang: "The input (5000 tokens) is longer than the model's context length (4096 tokens)."
  { re: /input \((\d+) tokens\) is longer than the model's context length \((\d+) tokens\)/i, tokens: 1, max: 2 },
  // OpenAI and vLLM: "This model's maximum context length is 4096 tokens. However, you requested 5000 tokens …"
  { re: /maximum context length is (\d+) tokens.*?(?:requested|resulted in|has) (\d+)/is, tokens: 2, max: 1 },
];

const BARE = /prompt is too long|context[_ ]length[_ ]exceeded|exceed_context_size|maximum context length|longer than the model's context length/i;

/** The overflow an upstream error describes, or null when it is some other error. */
export function readContextOverflow(message: string, type: string | null): ContextOverflow | null {
  for (const p of PATTERNS) {
    const m = p.re.exec(message);
    if (m) return { tokens: Number(m[p.tokens]), max: Number(m[p.max]) };
  }
  return BARE.test(message) || (type !== null && BARE.test(type)) ? { tokens: null, max: null } : null;
}

export function anthropicOverflowMessage(o: ContextOverflow, original: string): string {
  return o.tokens !== null && o.max !== null ? `prompt is too long: ${o.tokens} tokens > ${o.max} maximum` : `prompt is too long: ${original}`;
}

export function openAIOverflowMessage(o: ContextOverflow, original: string): string {
  return o.tokens !== null && o.max !== null
    ? `This model's maximum context length is ${o.max} tokens. However, your messages resulted in ${o.tokens} tokens.`
    : original;
}

export const OPENAI_OVERFLOW_CODE = "context_length_exceeded";
