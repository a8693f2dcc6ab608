/** The playground's data: settings, messages, the figures of each answer, conversations. */

export interface ChatSettings {
  system: string;
  /** Blank fields are left to the backend's defaults. */
  temperature: string;
  maxTokens: string;
  topP: string;
  /** One stop sequence per line. */
  stop: string;
}

export const DEFAULT_SETTINGS: ChatSettings = { system: "", temperature: "0.7", maxTokens: "512", topP: "", stop: "" };

export interface AnswerStats {
  ttftMs: number | null;
  tokensPerSec: number | null;
  inputTokens: number | null;
  outputTokens: number | null;
  durationMs: number;
  /** From the gateway's x-switchyard-* headers. */
  backend: string | null;
  target: string | null;
  failovers: number;
  tried: string[];
}

export interface ChatMessage {
  role: "user" | "assistant";
  content: string;
  stats?: AnswerStats;
  error?: string;
}

export interface Pane {
  model: string;
  messages: ChatMessage[];
}

export interface Conversation {
  id: string;
  title: string;
  updatedAt: number;
  settings: ChatSettings;
  panes: Pane[];
}

export const MAX_PANES = 4;

/** The OpenAI request fields a conversation's settings give (blank ones omitted). */
export function samplingFields(s: ChatSettings): { temperature?: number; max_tokens?: number; top_p?: number; stop?: string[] } {
  const out: { temperature?: number; max_tokens?: number; top_p?: number; stop?: string[] } = {};
  const num = (v: string) => (v.trim() === "" || !Number.isFinite(Number(v)) ? undefined : Number(v));
  const temperature = num(s.temperature);
  const maxTokens = num(s.maxTokens);
  const topP = num(s.topP);
  if (temperature !== undefined) out.temperature = temperature;
  if (maxTokens !== undefined && Number.isInteger(maxTokens) && maxTokens > 0) out.max_tokens = maxTokens;
  if (topP !== undefined) out.top_p = topP;
  const stop = s.stop.split("\n").map((x) => x.replace(/\\n/g, "\n")).filter((x) => x !== "").slice(0, 4);
  if (stop.length) out.stop = stop;
  return out;
}

/** The messages of the next request: the system prompt, the pane's history, the new prompt. */
export function requestMessages(settings: ChatSettings, history: readonly ChatMessage[], prompt: string): Array<{ role: string; content: string }> {
  const out: Array<{ role: string; content: string }> = [];
  if (settings.system.trim()) out.push({ role: "system", content: settings.system });
  for (const m of history) if (!m.error && m.content) out.push({ role: m.role, content: m.content });
  out.push({ role: "user", content: prompt });
  return out;
}
