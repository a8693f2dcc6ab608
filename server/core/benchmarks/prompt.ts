/**
 * Prompts of about N tokens without a tokenizer: common English words, most of which are one token
 * in the tokenizers engines use. Each request starts with its own number, so no engine can answer
 * it from a prompt cache (which would flatter time to first token). The word count is corrected
 * once from the backend's own count (planWords) before the measured requests.
 */
const WORDS = [
  "the", "time", "people", "way", "water", "day", "part", "sound", "work", "place", "year", "number", "world", "house", "point",
  "hand", "light", "story", "river", "mountain", "city", "morning", "paper", "music", "table", "window", "garden", "question",
  "answer", "train", "station", "market", "road", "field", "school", "letter", "summer", "winter", "friend", "family",
];

/** Deterministic per request, different between requests. */
export function benchmarkPrompt(words: number, requestIndex: number, runId: string): string {
  const out: string[] = [`Request ${requestIndex} of run ${runId}. Continue this text:`];
  let x = (requestIndex + 1) * 2654435761;
  for (let i = 0; i < words; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    out.push(WORDS[x % WORDS.length]!);
  }
  return out.join(" ");
}

/** Words for the target token count, given what a probe of `probeWords` words counted as. */
export function planWords(targetTokens: number, probeWords: number, probeTokens: number | null): number {
  if (!probeTokens || probeTokens <= 0) return targetTokens;
  const perWord = probeTokens / Math.max(probeWords, 1);
  return Math.max(1, Math.min(targetTokens * 4, Math.round(targetTokens / perWord)));
}
