/** The shapes one client request passes through on its way to a backend and back. */
import type { RequestLogEntry } from "../../protocol/gateway";
import type { Protocol } from "./protocol/errors";

export type Endpoint = "chat" | "completions" | "embeddings" | "messages" | "count_tokens" | "models";

/** How the backend's answer reaches the client. */
export type Relay =
  | { kind: "raw" }
  /** An OpenAI-speaking backend answering an Anthropic client. */
  | { kind: "openai-to-anthropic"; model: string; /** The estimate a translated stream's message_start carries (streams only). */ inputTokens?: number }
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

/**
 * What the request log, metrics and key usage learn about one client request: the dashboard's log
 * entry (protocol/gateway.ts) plus what stays on the server.
 */
export interface RequestRecord extends Omit<RequestLogEntry, "id" | "endpoint"> {
  endpoint: Endpoint;
  protocol: Protocol;
  /** Only with request-body logging switched on. */
  body: string | null;
  /** Failovers on the way, for the routes page: from → to, and why. */
  hops: Array<{ from: string; to: string | null; why: string }>;
}
