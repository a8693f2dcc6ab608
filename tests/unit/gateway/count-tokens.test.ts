import { describe, expect, it } from "vitest";
import { parseAnthropicCountTokensRequest, type AnthropicCountTokensRequest } from "../../../server/gateway/protocol/anthropic-types";
import { estimateInputTokens } from "../../../server/gateway/protocol/count-tokens";
import { READ_TOOL, claudeCodeRequest } from "./helpers/requests";

function estimate(body: Record<string, unknown>): number {
  const r = parseAnthropicCountTokensRequest({ model: "m", ...body });
  if (!r.ok) throw new Error(r.message);
  return estimateInputTokens(r.value as AnthropicCountTokensRequest);
}

const text = (n: number) => "a".repeat(n);

describe("input token estimate", () => {
  it.each([
    ["one short message", { messages: [{ role: "user", content: text(35) }] }, 3 + 10],
    ["system and two turns", { system: text(70), messages: [{ role: "user", content: text(7) }, { role: "assistant", content: [{ type: "text", text: text(7) }] }] }, 6 + 24],
    ["an image", { messages: [{ role: "user", content: [{ type: "image", source: { type: "url", url: "https://x" } }] }] }, 3 + 1600],
    ["a 150 KB PDF", { messages: [{ role: "user", content: [{ type: "document", source: { type: "base64", media_type: "application/pdf", data: text(200_000) } }] }] }, 3 + 4000],
  ])("counts %s", (_name, body, expected) => {
    expect(estimate(body)).toBe(expected);
  });

  it("adds the tool-use preamble and the tools' JSON", () => {
    const without = estimate({ messages: [{ role: "user", content: "hi" }] });
    const withTool = estimate({ messages: [{ role: "user", content: "hi" }], tools: [READ_TOOL] });
    expect(withTool - without).toBeGreaterThanOrEqual(346 + 10 + Math.floor(JSON.stringify([READ_TOOL]).length / 3.5));
    expect(withTool - without).toBeLessThanOrEqual(346 + 10 + Math.ceil(JSON.stringify([READ_TOOL]).length / 3.5) + 1);
  });

  it("skips thinking of earlier turns but counts the last assistant turn's", () => {
    const thinking = { type: "thinking", thinking: text(3500), signature: "s" };
    const earlier = estimate({ messages: [{ role: "assistant", content: [thinking] }, { role: "user", content: "x" }, { role: "assistant", content: "y" }] });
    const last = estimate({ messages: [{ role: "assistant", content: "y" }, { role: "user", content: "x" }, { role: "assistant", content: [thinking] }] });
    expect(last - earlier).toBe(1000);
  });

  it("sizes tool results, tool inputs and unknown blocks", () => {
    const base = estimate({ messages: [{ role: "user", content: "q" }] });
    const withBlocks = estimate({ messages: [{ role: "user", content: [
      { type: "text", text: "q" },
      { type: "tool_result", tool_use_id: "t", content: [{ type: "text", text: text(350) }] },
      { type: "mystery_block", payload: text(350) },
    ] }] });
    expect(withBlocks - base).toBeGreaterThanOrEqual(200);
  });

  it("is in a sane range for a Claude Code turn", () => {
    const n = estimate(claudeCodeRequest());
    expect(n).toBeGreaterThan(346);
    expect(n).toBeLessThan(800);
  });
});
