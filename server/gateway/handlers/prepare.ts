/**
 * Builds the request for one target: the client's own bytes with only `model` rewritten when both
 * sides speak the same protocol, a translation through the protocol core otherwise. The parsed
 * form of a body is made once per client request and shared by every target it tries.
 */
import type { Backend } from "../backends";
import { readBodyFields, withModel, type BodyFields } from "../body-fields";
import type { Endpoint, PreparedRequest, Unsupported } from "../exchange";
import { anthropicRequestToOpenAI } from "../protocol/anthropic-to-openai";
import { parseAnthropicMessagesRequest, type AnthropicMessagesRequest } from "../protocol/anthropic-types";
import { estimateInputTokens } from "../protocol/count-tokens";
import { ProtocolError } from "../protocol/errors";
import { openAIRequestToAnthropic } from "../protocol/openai-to-anthropic";
import { parseOpenAIChatRequest, type OpenAIChatRequest } from "../protocol/openai-types";
import { hasUnsignedThinking, stripUnsignedThinking } from "../protocol/unsigned-thinking";
import type { Target } from "../routing/route-table";
import { hoistSystemTurns } from "./anthropic-compat";

const PATHS: Record<Exclude<Endpoint, "models">, string> = {
  chat: "/v1/chat/completions",
  completions: "/v1/completions",
  embeddings: "/v1/embeddings",
  messages: "/v1/messages",
  count_tokens: "/v1/messages/count_tokens",
};

export class RequestBody {
  private openai: OpenAIChatRequest | null = null;
  private anthropic: AnthropicMessagesRequest | null = null;

  constructor(readonly raw: Buffer, readonly fields: BodyFields, readonly query: string) {}

  /** The whole body, validated as the client's protocol says; throws ProtocolError(400) with the field. */
  asOpenAIChat(): OpenAIChatRequest {
    if (this.openai) return this.openai;
    const r = parseOpenAIChatRequest(parseJson(this.raw));
    if (!r.ok) throw new ProtocolError(400, r.message);
    return (this.openai = r.value);
  }

  asAnthropic(): AnthropicMessagesRequest {
    if (this.anthropic) return this.anthropic;
    const r = parseAnthropicMessagesRequest(hoistSystemTurns(parseJson(this.raw)));
    if (!r.ok) throw new ProtocolError(400, r.message);
    return (this.anthropic = r.value);
  }
}

function parseJson(raw: Buffer): unknown {
  try {
    return JSON.parse(raw.toString("utf8"));
  } catch {
    throw new ProtocolError(400, "the request body is not valid JSON");
  }
}

/** Reads the fields routing needs; a body the scanner cannot read gets JSON.parse's verdict. */
export function readRequestBody(raw: Buffer, query: string): RequestBody {
  const fields = readBodyFields(raw);
  if (!fields) {
    const value = parseJson(raw);
    if (typeof value !== "object" || value === null || Array.isArray(value)) throw new ProtocolError(400, "the request body must be a JSON object");
    throw new ProtocolError(400, "the request body could not be read");
  }
  return new RequestBody(raw, fields, query);
}

// Thinking blocks are found by their type; SDKs send compact JSON, hand-written bodies may have a space.
const THINKING_MARKERS = [Buffer.from('"type":"thinking"'), Buffer.from('"type": "thinking"')];

export function prepareFor(endpoint: Endpoint, body: RequestBody, target: Target, backend: Backend): PreparedRequest | Unsupported {
  if (endpoint === "models") return { unsupported: "GET /v1/models is answered by the gateway" };
  const path = PATHS[endpoint];
  if (endpoint === "messages" || endpoint === "count_tokens") {
    if (backend.api === "anthropic") {
      if (endpoint === "messages" && THINKING_MARKERS.some((m) => body.raw.includes(m))) {
        const req = body.asAnthropic();
        // Thinking made by a local model carries no signature Anthropic accepts: drop it, or the whole request fails.
        if (hasUnsignedThinking(req)) {
          const clean = { ...stripUnsignedThinking(req), model: target.model };
          return { path: path + body.query, body: Buffer.from(JSON.stringify(clean)), relay: { kind: "raw" } };
        }
      }
      return { path: path + body.query, body: withModel(body.raw, body.fields, target.model), relay: { kind: "raw" } };
    }
    if (endpoint === "count_tokens") return { unsupported: "count_tokens is estimated for OpenAI backends" };
    const req = body.asAnthropic();
    const translated = anthropicRequestToOpenAI(req, { model: target.model, dialect: backend.kind === "cloud" ? "openai" : "engine" });
    return {
      path: PATHS.chat,
      body: Buffer.from(JSON.stringify(translated)),
      relay: { kind: "openai-to-anthropic", model: body.fields.model ?? target.model, inputTokens: body.fields.stream ? estimateInputTokens(req) : undefined },
    };
  }
  if (backend.api === "openai") return { path, body: withModel(body.raw, body.fields, target.model), relay: { kind: "raw" } };
  if (endpoint !== "chat") return { unsupported: `${backend.name} speaks the Anthropic protocol, which has no ${path}` };
  const req = body.asOpenAIChat();
  const translated = openAIRequestToAnthropic(req, { model: target.model });
  return {
    path: PATHS.messages,
    body: Buffer.from(JSON.stringify(translated)),
    relay: { kind: "anthropic-to-openai", model: body.fields.model ?? target.model, includeUsage: req.stream_options?.include_usage === true },
  };
}
