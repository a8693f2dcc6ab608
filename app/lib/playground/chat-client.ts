/**
 * The playground's way to the gateway: `/v1/*` on the dashboard's own origin with the session
 * cookie (the gateway accepts it from this origin only; no API key in the browser). Answers stream
 * through the same reader the benchmarks use, so both time tokens the same way.
 */
import { ChatStreamReader, decodeTokensPerSec, outputTokens } from "../../../lib/chat-stream";
import { apiFetch, goToLogin } from "../api";
import { requestMessages, samplingFields, type AnswerStats, type ChatMessage, type ChatSettings } from "./chat-types";

/** An answer past this is cut: the page must stay responsive whatever a model sends. */
export const MAX_ANSWER_CHARS = 256 * 1024;

async function errorMessage(res: Response): Promise<string> {
  const text = await res.text().catch(() => "");
  try {
    const m = (JSON.parse(text) as { error?: { message?: unknown } }).error?.message;
    if (typeof m === "string" && m) return m;
  } catch { /* not JSON */ }
  return `${res.status} ${res.statusText || "error"}`;
}

const headerText = (v: string | null): string | null => {
  if (v === null) return null;
  try {
    return decodeURIComponent(v);
  } catch {
    return v;
  }
};

/** The routable models' ids, through the dashboard's one fetch helper (session cookie, 401 to sign-in, the error's message). */
export async function fetchModels(): Promise<string[]> {
  const body = await apiFetch<{ data?: Array<{ id?: unknown }> }>("/v1/models");
  return (body.data ?? []).map((m) => m.id).filter((id): id is string => typeof id === "string");
}

/** The model list as the playground and the benchmarks form share it (one react-query entry). */
export const modelsQuery = { queryKey: ["v1", "models"] as const, queryFn: fetchModels, refetchInterval: 15_000 };

export interface AnswerResult {
  content: string;
  stats: AnswerStats;
  error?: string;
}

export async function streamAnswer(opts: {
  model: string;
  settings: ChatSettings;
  history: readonly ChatMessage[];
  prompt: string;
  signal: AbortSignal;
  onText(content: string): void;
}): Promise<AnswerResult> {
  const started = performance.now();
  const stats: AnswerStats = { ttftMs: null, tokensPerSec: null, inputTokens: null, outputTokens: null, durationMs: 0, backend: null, target: null, failovers: 0, tried: [] };
  const body = {
    model: opts.model,
    messages: requestMessages(opts.settings, opts.history, opts.prompt),
    ...samplingFields(opts.settings),
    stream: true,
    stream_options: { include_usage: true },
  };
  let res: Response;
  try {
    res = await fetch("/v1/chat/completions", {
      method: "POST",
      credentials: "same-origin",
      headers: { "content-type": "application/json", accept: "text/event-stream" },
      body: JSON.stringify(body),
      signal: opts.signal,
    });
  } catch (err) {
    const aborted = opts.signal.aborted;
    return { content: "", stats: { ...stats, durationMs: performance.now() - started }, error: aborted ? "stopped" : `could not reach the gateway (${(err as Error).message})` };
  }
  stats.backend = headerText(res.headers.get("x-switchyard-backend"));
  stats.target = headerText(res.headers.get("x-switchyard-target"));
  stats.failovers = Number(res.headers.get("x-switchyard-failovers") ?? 0) || 0;
  stats.tried = (res.headers.get("x-switchyard-tried") ?? "").split(",").map((s) => headerText(s.trim())!).filter(Boolean);
  if (res.status === 401) goToLogin();
  if (!res.ok || !res.body) return { content: "", stats: { ...stats, durationMs: performance.now() - started }, error: await errorMessage(res) };

  let content = "";
  let cut = false;
  const reader = new ChatStreamReader(() => performance.now(), (piece, kind) => {
    if (kind !== "content" || cut) return;
    content += piece;
    if (content.length > MAX_ANSWER_CHARS) {
      content = content.slice(0, MAX_ANSWER_CHARS);
      cut = true;
    }
    opts.onText(content);
  });
  let error: string | undefined;
  const stream = res.body.getReader();
  try {
    for (;;) {
      const { done, value } = await stream.read();
      if (done) break;
      reader.push(value);
    }
  } catch (err) {
    error = opts.signal.aborted ? "stopped" : `the stream broke: ${(err as Error).message}`;
  }
  const r = reader.end();
  const tokens = outputTokens(r);
  return {
    content,
    stats: {
      ...stats,
      ttftMs: r.firstTokenAt === null ? null : r.firstTokenAt - started,
      tokensPerSec: decodeTokensPerSec(tokens, r.firstTokenAt, r.lastTokenAt),
      inputTokens: r.promptTokens,
      outputTokens: tokens,
      durationMs: performance.now() - started,
    },
    error: error ?? r.error ?? (cut ? `the answer was cut at ${MAX_ANSWER_CHARS / 1024} KiB` : undefined),
  };
}
