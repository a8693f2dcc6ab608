/** The shapes one client request passes through on its way to a backend and back. */
import type { Protocol } from "./protocol/errors";

export type Endpoint = "chat" | "completions" | "embeddings" | "messages" | "count_tokens" | "models";

/** How the backend's answer reaches the client. */
export type Relay =
  | { kind: "raw" }
  /** An OpenAI-speaking backend answering an Anthropic client. */
  | { kind: "openai-to-anthropic"; model: string; inputTokens: number }
  /** An Anthropic backend answering an OpenAI client. */
  | { kind: "anthropic-to-openai"; model: string; includeUsage: boolean };

export interface PreparedRequest {
  /** Path (with query) on the backend, e.g. /v1/chat/completions. */
  path: string;
  body: Buffer;
  relay: Relay;
}

/** A target that cannot take this request at all (embeddings to an Anthropic backend). */
export interface Unsupported {
  unsupported: string;
}

/** What the request log, metrics and key usage learn about one client request. */
export interface RequestRecord {
  ts: number;
  keyName: string | null;
  endpoint: Endpoint;
  protocol: Protocol;
  modelAsked: string | null;
  target: string | null;
  attempts: number;
  failovers: number;
  status: number;
  stream: boolean;
  ttftMs: number | null;
  durationMs: number;
  inputTokens: number | null;
  outputTokens: number | null;
  error: string | null;
  body: string | null;
  /** Failovers on the way, for the routes page: from → to, and why. */
  hops: Array<{ from: string; to: string | null; why: string }>;
}
