import { describe, expect, it } from "vitest";
import { hoistSystemTurns } from "../../../server/gateway/handlers/anthropic-compat";
import { parseAnthropicMessagesRequest } from "../../../server/gateway/protocol/anthropic-types";

describe("system turns inside messages (Claude Code 2.1 with a model it does not know)", () => {
  it("joins their text to the system prompt, in order, so the request validates", () => {
    // What broke: the protocol core's schema rejected `messages.1.role: "system"` with a 400.
    const body = {
      model: "m", max_tokens: 5,
      system: [{ type: "text", text: "You are Claude Code." }],
      messages: [
        { role: "user", content: [{ type: "text", text: "<system-reminder>ctx</system-reminder>" }] },
        { role: "system", content: "Available agent types: …" },
        { role: "user", content: "Say something" },
      ],
    };
    const out = hoistSystemTurns(body) as typeof body;
    expect(out.system).toEqual([{ type: "text", text: "You are Claude Code." }, { type: "text", text: "Available agent types: …" }]);
    expect(out.messages.map((m) => m.role)).toEqual(["user", "user"]);
    expect(parseAnthropicMessagesRequest(out).ok).toBe(true);
    expect(parseAnthropicMessagesRequest(body).ok).toBe(false);
  });

  it("leaves other bodies alone (same object)", () => {
    const body = { model: "m", max_tokens: 5, system: "s", messages: [{ role: "user", content: "x" }] };
    expect(hoistSystemTurns(body)).toBe(body);
    expect((hoistSystemTurns({ ...body, messages: [{ role: "system", content: [{ type: "text", text: "t" }] }] }) as { system: unknown }).system).toEqual([{ type: "text", text: "s" }, { type: "text", text: "t" }]);
  });
});
