/** The one stream reader of the playground and the benchmarks: tokens, their times, usage, errors. */
import { describe, expect, it } from "vitest";
import { ChatStreamReader, decodeTokensPerSec, outputTokens } from "../../../lib/chat-stream";

const chunk = (delta: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
  `data: ${JSON.stringify({ choices: [{ index: 0, delta, finish_reason: null }], ...extra })}\n\n`;

function reader() {
  let t = 0;
  const pieces: string[] = [];
  const r = new ChatStreamReader(() => t, (p) => pieces.push(p));
  return { r, pieces, at: (ms: number) => void (t = ms) };
}

describe("ChatStreamReader", () => {
  it("times the first and last token chunks, not the role-only or usage chunks", () => {
    const { r, pieces, at } = reader();
    at(10);
    r.push(chunk({ role: "assistant", content: null }));
    at(50);
    r.push(chunk({ content: "Hel" }));
    at(60);
    r.push(chunk({ content: "lo" }) + chunk({ content: "!" }));
    at(90);
    r.push(`data: ${JSON.stringify({ choices: [{ index: 0, delta: {}, finish_reason: "length" }] })}\n\n`);
    at(95);
    r.push(`data: ${JSON.stringify({ choices: [], usage: { prompt_tokens: 7, completion_tokens: 4 }, timings: { predicted_per_second: 41.5 } })}\n\ndata: [DONE]\n\n`);
    const res = r.end();
    expect(res).toMatchObject({
      text: "Hello!", firstTokenAt: 50, lastTokenAt: 60, contentChunks: 3, promptTokens: 7, completionTokens: 4,
      engineTokensPerSec: 41.5, finishReason: "length", error: null, done: true,
    });
    expect(pieces).toEqual(["Hel", "lo", "!"]);
    expect(outputTokens(res)).toBe(4);
  });

  it("reads events split anywhere, even inside a UTF-8 character", () => {
    const { r } = reader();
    const bytes = new TextEncoder().encode(chunk({ content: "héllo 🙂" }));
    for (const b of bytes) r.push(new Uint8Array([b]));
    expect(r.end().text).toBe("héllo 🙂");
  });

  it("counts chunks as tokens when the backend sends no usage; reasoning counts as tokens", () => {
    const { r, at } = reader();
    at(1);
    r.push(chunk({ reasoning_content: "hmm" }));
    at(2);
    r.push(chunk({ content: "a" }));
    const res = r.end();
    expect(res.reasoning).toBe("hmm");
    expect(outputTokens(res)).toBe(2);
  });

  it("keeps an error event's message (a backend that died mid-stream)", () => {
    const { r } = reader();
    r.push(chunk({ content: "a" }));
    r.push(`data: ${JSON.stringify({ error: { message: "the backend stopped mid-stream: reset", type: "server_error" } })}\n\n`);
    expect(r.end().error).toBe("the backend stopped mid-stream: reset");
  });

  it("ignores what is not JSON or not an object", () => {
    const { r } = reader();
    r.push(": keep-alive\n\ndata: nonsense\n\ndata: 42\n\ndata: null\n\n");
    expect(r.end()).toMatchObject({ text: "", error: null, contentChunks: 0 });
  });
});

describe("decodeTokensPerSec", () => {
  it("is (tokens − 1) over the time from the first to the last token", () => {
    expect(decodeTokensPerSec(101, 1000, 3000)).toBe(50);
  });
  it("is null without an interval", () => {
    expect(decodeTokensPerSec(1, 0, 10)).toBeNull();
    expect(decodeTokensPerSec(5, null, 10)).toBeNull();
    expect(decodeTokensPerSec(5, 10, 10)).toBeNull();
  });
});
