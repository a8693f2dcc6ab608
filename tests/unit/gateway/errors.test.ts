import { describe, expect, it } from "vitest";
import {
  anthropicErrorType, errorBodyFor, forwardsUntouched, readUpstreamError, redactSecrets, statusForAnthropicErrorType, translateErrorBody,
} from "../../../server/gateway/protocol/errors";

describe("error mapping", () => {
  it.each([
    [400, "invalid_request_error"], [401, "authentication_error"], [403, "permission_error"], [404, "not_found_error"],
    [413, "request_too_large"], [429, "rate_limit_error"], [500, "api_error"], [529, "overloaded_error"],
    [503, "overloaded_error"], [422, "invalid_request_error"], [502, "api_error"],
  ])("HTTP %i ↔ %s", (status, type) => {
    expect(anthropicErrorType(status)).toBe(type);
    if (status !== 503 && status !== 422 && status !== 502) expect(statusForAnthropicErrorType(type)).toBe(status);
  });

  it("builds both protocols' bodies", () => {
    expect(errorBodyFor("anthropic", 429, "slow down")).toEqual({ type: "error", error: { type: "rate_limit_error", message: "slow down" } });
    expect(errorBodyFor("openai", 401, "bad key")).toEqual({ error: { message: "bad key", type: "authentication_error", param: null, code: null } });
    expect(errorBodyFor("openai", 503, "loading")).toMatchObject({ error: { type: "server_error" } });
  });

  it("forwards bodies untouched only between the same protocols", () => {
    expect(forwardsUntouched("anthropic", "anthropic")).toBe(true);
    expect(forwardsUntouched("openai", "openai")).toBe(true);
    expect(forwardsUntouched("anthropic", "openai")).toBe(false);
  });

  it.each([
    ["Anthropic", { type: "error", error: { type: "overloaded_error", message: "Overloaded" } }, "Overloaded", "overloaded_error"],
    ["OpenAI", { error: { message: "Rate limit reached", type: "requests", code: "rate_limit_exceeded" } }, "Rate limit reached", "requests", "rate_limit_exceeded"],
    ["llama.cpp", { error: { code: 503, message: "Loading model", type: "unavailable_error" } }, "Loading model", "unavailable_error"],
    ["vLLM", { object: "error", message: "maximum context length is 4096 tokens", type: "BadRequestError", code: 400 }, "maximum context length is 4096 tokens", "BadRequestError"],
    ["FastAPI", { detail: [{ msg: "field required" }, { msg: "bad type" }] }, "field required; bad type", null],
    ["plain text", "upstream connect error", "upstream connect error", null],
  ])("reads a %s error body", (_name, body, message, type, code: string | null = null) => {
    expect(readUpstreamError(body)).toMatchObject({ message, type, code });
    expect(readUpstreamError(typeof body === "string" ? body : JSON.stringify(body)).message).toBe(message);
  });

  it("restates an OpenAI backend's error for an Anthropic client, keeping status and wording", () => {
    expect(translateErrorBody('{"error":{"message":"Invalid \'messages[1].role\': expected one of system, user","type":"invalid_request_error"}}', 400, "anthropic")).toEqual({
      type: "error", error: { type: "invalid_request_error", message: "Invalid 'messages[1].role': expected one of system, user" },
    });
    expect(translateErrorBody({ error: { code: 503, message: "Loading model" } }, 503, "anthropic")).toMatchObject({ error: { type: "overloaded_error" } });
    expect(translateErrorBody("", 502, "anthropic")).toEqual({ type: "error", error: { type: "api_error", message: "upstream answered HTTP 502" } });
  });

  it("restates an Anthropic backend's error for an OpenAI client, its type kept as the code", () => {
    expect(translateErrorBody({ type: "error", error: { type: "rate_limit_error", message: "Number of requests exceeded" } }, 429, "openai")).toEqual({
      error: { message: "Number of requests exceeded", type: "rate_limit_error", param: null, code: "rate_limit_error" },
    });
  });

  it.each([
    ["llama.cpp", { error: { code: 400, message: "request (14054 tokens) exceeds the available context size (512 tokens), try increasing it", type: "exceed_context_size_error" } }, "prompt is too long: 14054 tokens > 512 maximum"],
    ["vLLM", { object: "error", message: "This model's maximum context length is 4096 tokens. However, you requested 5000 tokens (4000 in the messages, 1000 in the completion).", code: 400 }, "prompt is too long: 5000 tokens > 4096 maximum"],
    ["SGLang", { detail: "The input (9000 tokens) is longer than the model's context length (8192 tokens)." }, "prompt is too long: 9000 tokens > 8192 maximum"],
    ["OpenAI, no numbers", { error: { message: "Too long.", code: "context_length_exceeded", type: "invalid_request_error" } }, "prompt is too long: Too long."],
  ])("restates a %s context overflow in the words Claude Code's compaction looks for", (_name, body, message) => {
    expect(translateErrorBody(body, 400, "anthropic")).toEqual({ type: "error", error: { type: "invalid_request_error", message } });
  });

  it("restates Anthropic's context overflow with OpenAI's code", () => {
    expect(translateErrorBody({ type: "error", error: { type: "invalid_request_error", message: "prompt is too long: 208310 tokens > 200000 maximum" } }, 400, "openai")).toEqual({
      error: { message: "This model's maximum context length is 200000 tokens. However, your messages resulted in 208310 tokens.", type: "invalid_request_error", param: null, code: "context_length_exceeded" },
    });
  });

  it("never passes an upstream key on", () => {
    const body = { error: { message: "Incorrect API key provided: sk-proj-abc********************xyz9. Key sk-live-1234 rejected." } };
    const out = JSON.stringify(translateErrorBody(body, 401, "anthropic", ["sk-live-1234"]));
    expect(out).not.toMatch(/sk-proj|sk-live/);
    expect(redactSecrets("token hf_abcdefghijklmnop here")).toBe("token [redacted] here");
  });
});
