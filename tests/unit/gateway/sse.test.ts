import { describe, expect, it } from "vitest";
import { SseParser, encodeSse, encodeSseJson, parseSse, type SseEvent } from "../../../lib/sse";
import { cutBytes } from "./helpers/streams";

const STREAM = [
  ": keep-alive comment",
  "event: message_start",
  'data: {"text":"héllo — 日本 🎉"}',
  "",
  "data: line one",
  "data:line two",
  "data",
  "id: 7",
  "retry: 1000",
  "",
  "event: ping",
  "",
  "event: last",
  "data: {}",
  "",
  "",
].join("\n");

const EXPECTED: SseEvent[] = [
  { event: "message_start", data: '{"text":"héllo — 日本 🎉"}' },
  { event: undefined, data: "line one\nline two\n" },
  // an event without data is not dispatched (the `event: ping` block)
  { event: "last", data: "{}" },
];

function parseChunks(chunks: Array<string | Uint8Array>): SseEvent[] {
  const events: SseEvent[] = [];
  const p = new SseParser((e) => events.push(e));
  for (const c of chunks) p.push(c);
  p.end();
  return events;
}

describe("SSE parser", () => {
  it("parses fields, comments, multi-line data and events without data", () => {
    expect(parseSse(STREAM)).toEqual(EXPECTED);
  });

  it.each(["\r\n", "\r"])("accepts %j line endings", (eol) => {
    expect(parseSse(STREAM.replaceAll("\n", eol))).toEqual(EXPECTED);
  });

  it("gives the same events for every way of cutting the bytes, CRLF split between chunks included", () => {
    for (const text of [STREAM, STREAM.replaceAll("\n", "\r\n")]) {
      for (let size = 1; size <= 9; size++) expect(parseChunks(cutBytes(text, size))).toEqual(EXPECTED);
      const bytes = new TextEncoder().encode(text);
      for (let at = 1; at < bytes.length; at++) expect(parseChunks([bytes.subarray(0, at), bytes.subarray(at)])).toEqual(EXPECTED);
    }
  });

  it("takes string chunks cut anywhere", () => {
    for (let at = 1; at < STREAM.length; at++) expect(parseChunks([STREAM.slice(0, at), STREAM.slice(at)])).toEqual(EXPECTED);
  });

  it("dispatches a last event that the upstream closed without a blank line", () => {
    expect(parseChunks(['data: {"usage":1}'])).toEqual([{ event: undefined, data: '{"usage":1}' }]);
    expect(parseChunks(["data: a\r"])).toEqual([{ event: undefined, data: "a" }]);
  });

  it("joins a data line that arrives in many pieces", () => {
    const long = "x".repeat(10_000);
    expect(parseChunks([`data: ${long.slice(0, 3)}`, ...long.slice(3).match(/.{1,7}/g)!, "\n\n"])).toEqual([{ event: undefined, data: long }]);
  });
});

describe("SSE encoder", () => {
  it("writes named and unnamed events, splitting data on line breaks", () => {
    expect(encodeSse("a", "ping")).toBe("event: ping\ndata: a\n\n");
    expect(encodeSse("a\nb\r\nc")).toBe("data: a\ndata: b\ndata: c\n\n");
    expect(encodeSseJson({ s: "x\ny" }, "e")).toBe('event: e\ndata: {"s":"x\\ny"}\n\n');
  });

  it("round-trips through the parser", () => {
    const events: SseEvent[] = [{ event: "a", data: "1\n2" }, { event: undefined, data: '{"k":"v"}' }, { event: "b", data: "" }];
    const text = events.map((e) => encodeSse(e.data, e.event)).join("");
    expect(parseSse(text)).toEqual(events);
  });
});
