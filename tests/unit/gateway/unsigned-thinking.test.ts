import { describe, expect, it } from "vitest";
import { parseAnthropicMessagesRequest, type AnthropicMessagesRequest } from "../../../server/gateway/protocol/anthropic-types";
import { JsonCompletion } from "../../../server/gateway/protocol/json-completion";
import { SYNTHETIC_THINKING_SIGNATURE, hasUnsignedThinking, stripUnsignedThinking } from "../../../server/gateway/protocol/unsigned-thinking";

function parsed(body: Record<string, unknown>): AnthropicMessagesRequest {
  const r = parseAnthropicMessagesRequest({ model: "m", max_tokens: 2000, ...body });
  if (!r.ok) throw new Error(r.message);
  return r.value;
}

const local = { type: "thinking", thinking: "from GLM", signature: SYNTHETIC_THINKING_SIGNATURE };
const cloud = { type: "thinking", thinking: "from Claude", signature: "EqQBCgIYAhIM" };

describe("unsigned thinking (failing back from a local model to Anthropic)", () => {
  it("finds and drops thinking Anthropic did not sign, sharing untouched messages", () => {
    const req = parsed({
      thinking: { type: "enabled", budget_tokens: 1024 },
      messages: [
        { role: "user", content: "q1" },
        { role: "assistant", content: [cloud, { type: "text", text: "a1" }] },
        { role: "user", content: "q2" },
        { role: "assistant", content: [local, { type: "text", text: "a2" }] },
        { role: "user", content: "q3" },
      ],
    });
    expect(hasUnsignedThinking(req)).toBe(true);
    const out = stripUnsignedThinking(req);
    expect(hasUnsignedThinking(out)).toBe(false);
    expect(out.messages[1]).toBe(req.messages[1]);
    expect(out.messages[3]!.content).toEqual([{ type: "text", text: "a2" }]);
    // The last assistant turn lost its thinking: Anthropic would refuse it with thinking on.
    expect(out.thinking).toBeUndefined();
    expect(req.messages[3]!.content).toHaveLength(2); // the input is not modified
  });

  it("keeps thinking on when only earlier turns lost theirs, and drops turns left empty", () => {
    const req = parsed({
      thinking: { type: "enabled", budget_tokens: 1024 },
      messages: [
        { role: "user", content: "q1" },
        { role: "assistant", content: [{ type: "thinking", thinking: "x", signature: "" }] },
        { role: "user", content: "q2" },
        { role: "assistant", content: [cloud, { type: "text", text: "a2" }] },
        { role: "user", content: "q3" },
      ],
    });
    const out = stripUnsignedThinking(req);
    expect(out.messages.map((m) => m.role)).toEqual(["user", "user", "assistant", "user"]);
    expect(out.thinking).toEqual({ type: "enabled", budget_tokens: 1024 });
  });

  it("reports nothing to strip for a conversation Anthropic produced", () => {
    expect(hasUnsignedThinking(parsed({ messages: [{ role: "assistant", content: [cloud] }] }))).toBe(false);
  });
});

describe("JSON completion tracker", () => {
  it.each([
    ['{"a":1}', true],
    ['  {"a":"}"}', true],
    ['{"a":"\\"}"', false], // the quote is escaped: still inside the string
    ['{"a":"\\\\"}', true], // an escaped backslash, then the closing quote
    ['{"a":[{"b":"]"}]', false],
    ['{"a":"\\u007d"}', true],
    ["", false],
    ["[1]", false], // not an object: never judged complete
    ['{"a":1} {"a":1}', false], // a second value: cannot tell where it ends
  ])("%j complete: %s", (json, complete) => {
    for (let cut = 0; cut <= json.length; cut++) {
      const t = new JsonCompletion();
      t.feed(json.slice(0, cut));
      t.feed(json.slice(cut));
      expect(t.complete).toBe(complete);
    }
  });
});
