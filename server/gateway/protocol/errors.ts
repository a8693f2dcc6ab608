/**
 * Error bodies in both protocols. When client and backend speak the same protocol, upstream error
 * bodies are forwarded as they came (Claude Code's recovery matches Anthropic's wording); only across
 * protocols is a body rebuilt, keeping the upstream's status and message.
 */
import type { AnthropicErrorBody, AnthropicErrorType } from "./anthropic-types";
import { OPENAI_OVERFLOW_CODE, anthropicOverflowMessage, openAIOverflowMessage, readContextOverflow } from "./context-overflow";
import type { OpenAIErrorBody } from "./openai-types";

export type Protocol = "openai" | "anthropic";

/** A request this gateway cannot translate (e.g. audio for an Anthropic backend): the client's fault. */
export class ProtocolError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
    this.name = "ProtocolError";
  }
}

/** Same protocol both sides: pass bodies (and streams) through byte for byte. */
export function forwardsUntouched(client: Protocol, backend: Protocol): boolean {
  return client === backend;
}

const ANTHROPIC_TYPE: Record<number, AnthropicErrorType> = {
  400: "invalid_request_error",
  401: "authentication_error",
  402: "billing_error",
  403: "permission_error",
  404: "not_found_error",
  413: "request_too_large",
  429: "rate_limit_error",
  500: "api_error",
  // Engines answer 503 while loading a model or when their queue is full: "try again later", which
  // is what overloaded_error tells Anthropic clients (Claude Code retries it with backoff).
  503: "overloaded_error",
  504: "timeout_error",
  529: "overloaded_error",
};

export function anthropicErrorType(status: number): AnthropicErrorType {
  return ANTHROPIC_TYPE[status] ?? (status >= 400 && status < 500 ? "invalid_request_error" : "api_error");
}

const STATUS_FOR_TYPE: Record<string, number> = {
  invalid_request_error: 400, authentication_error: 401, billing_error: 402, permission_error: 403, not_found_error: 404,
  request_too_large: 413, rate_limit_error: 429, api_error: 500, timeout_error: 504, overloaded_error: 529,
};

export function statusForAnthropicErrorType(type: string | null | undefined): number {
  return (type && STATUS_FOR_TYPE[type]) || 500;
}

const OPENAI_TYPE: Record<number, string> = {
  401: "authentication_error", 403: "permission_error", 404: "not_found_error", 429: "rate_limit_error",
};

export function openAIErrorType(status: number): string {
  return OPENAI_TYPE[status] ?? (status >= 400 && status < 500 ? "invalid_request_error" : "server_error");
}

export function anthropicErrorBody(status: number, message: string, type: AnthropicErrorType = anthropicErrorType(status)): AnthropicErrorBody {
  return { type: "error", error: { type, message } };
}

export function openAIErrorBody(status: number, message: string, code: string | null = null): OpenAIErrorBody {
  return { error: { message, type: openAIErrorType(status), param: null, code } };
}

export function errorBodyFor(protocol: Protocol, status: number, message: string): AnthropicErrorBody | OpenAIErrorBody {
  return protocol === "anthropic" ? anthropicErrorBody(status, message) : openAIErrorBody(status, message);
}

/** What an upstream error body says (not to be confused with upstream/send.ts's UpstreamError, a transport failure). */
export interface UpstreamErrorInfo {
  message: string;
  /** The upstream's own error type, when it gave one ("overloaded_error", "BadRequestError"). */
  type: string | null;
  /** Its string error code, when it gave one ("context_length_exceeded", "rate_limit_exceeded"). */
  code: string | null;
  /** A status the body itself names (vLLM and llama.cpp put one in `code`), else null. */
  status: number | null;
}

/**
 * The message inside any error body an upstream may send: Anthropic, OpenAI, llama.cpp
 * ({error:{code,message}}), vLLM ({object:"error",message,code}), FastAPI ({detail}), or plain text.
 */
export function readUpstreamError(body: unknown): UpstreamErrorInfo {
  let value = body;
  if (typeof body === "string") {
    try {
      value = JSON.parse(body);
    } catch {
      return { message: body.trim().slice(0, 2000), type: null, code: null, status: null };
    }
  }
  if (typeof value !== "object" || value === null) return { message: typeof value === "string" ? value : "", type: null, code: null, status: null };
  const outer = value as Record<string, unknown>;
  const inner = typeof outer.error === "object" && outer.error !== null ? (outer.error as Record<string, unknown>) : outer;
  let message = str(inner.message) ?? str(outer.error) ?? str(outer.message) ?? detailText(outer.detail) ?? "";
  if (!message) message = JSON.stringify(value).slice(0, 2000);
  const code = inner.code;
  const status = typeof code === "number" && code >= 400 && code < 600 ? code : null;
  return { message, type: str(inner.type), code: str(code), status };
}

function str(v: unknown): string | null {
  return typeof v === "string" && v.length > 0 ? v : null;
}

function detailText(detail: unknown): string | null {
  if (typeof detail === "string") return detail;
  if (Array.isArray(detail)) return detail.map((d) => (typeof d === "object" && d !== null ? str((d as Record<string, unknown>).msg) : null) ?? JSON.stringify(d)).join("; ");
  return null;
}

/** Overload, in whatever words the upstream chose. */
function isOverload(err: UpstreamErrorInfo, status: number | null): boolean {
  return status === 529 || status === 503 || /overload/i.test(err.type ?? "") || /overloaded/i.test(err.message);
}

/**
 * An upstream error body (status `status`) restated for a client of protocol `to`: status and message
 * kept, except that a context overflow is put in the words the client's recovery looks for.
 */
export function translateErrorBody(body: unknown, status: number, to: Protocol, secrets: readonly string[] = []): AnthropicErrorBody | OpenAIErrorBody {
  const err = readUpstreamError(body);
  const message = redactSecrets(err.message || `upstream answered HTTP ${status}`, secrets);
  const overflow = status < 500 ? readContextOverflow(message, err.code ?? err.type) : null;
  if (to === "anthropic") {
    if (overflow) return anthropicErrorBody(status, anthropicOverflowMessage(overflow, message), "invalid_request_error");
    const known = err.type && err.type in STATUS_FOR_TYPE ? (err.type as AnthropicErrorType) : null;
    return anthropicErrorBody(status, message, known ?? (isOverload(err, status) ? "overloaded_error" : anthropicErrorType(status)));
  }
  if (overflow) return openAIErrorBody(status, openAIOverflowMessage(overflow, message), OPENAI_OVERFLOW_CODE);
  return openAIErrorBody(status, message, err.code ?? err.type);
}

/**
 * The `error` event for a stream that fails after its first byte (status unknown mid-stream:
 * pass null, and the body's own code or wording decides).
 */
export function anthropicStreamError(payload: unknown, status: number | null = null, secrets: readonly string[] = []): AnthropicErrorBody {
  const err = readUpstreamError(payload);
  const effective = status ?? err.status;
  const type: AnthropicErrorType = isOverload(err, effective) ? "overloaded_error" : "api_error";
  return anthropicErrorBody(effective ?? 500, redactSecrets(err.message || "upstream stream failed", secrets), type);
}

export function openAIStreamError(payload: unknown, status: number | null = null, secrets: readonly string[] = []): OpenAIErrorBody {
  const err = readUpstreamError(payload);
  const effective = status ?? err.status ?? statusForAnthropicErrorType(err.type);
  return openAIErrorBody(effective, redactSecrets(err.message || "upstream stream failed", secrets), err.code ?? err.type);
}

// Provider keys some upstreams echo in auth errors, even masked ("sk-proj-****abcd").
const KEY_PATTERN = /\b(?:sk|sk-ant|sk-proj|hf)[-_][A-Za-z0-9_*-]{8,}/g;

/** Upstream keys never reach clients or logs: known secrets and anything key-shaped are replaced. */
export function redactSecrets(text: string, secrets: readonly string[] = []): string {
  let out = text;
  for (const s of secrets) if (s.length >= 4) out = out.replaceAll(s, "[redacted]");
  return out.replace(KEY_PATTERN, "[redacted]");
}
