/**
 * readSse (the CLI's reader over the gateway's SseParser) against the bytes Hono's streamSSE
 * writes for `logs -f`: log lines, pings, a non-ASCII line, the end event, at every byte split.
 */
import { Hono } from "hono";
import { streamSSE } from "hono/streaming";
import { describe, expect, it } from "vitest";
import { readSse, type SseEvent } from "../../../lib/sse";

async function logsStreamBytes(): Promise<Uint8Array> {
  const app = new Hono();
  app.get("/", (c) => streamSSE(c, async (stream) => {
    await stream.writeSSE({ data: "loading model 'tiny.gguf'" });
    await stream.writeSSE({ event: "ping", data: "" });
    await stream.writeSSE({ data: "" });
    await stream.writeSSE({ data: "température: 0.7 — prêt" });
    await stream.writeSSE({ event: "end", data: "the container stopped" });
  }));
  return new Uint8Array(await (await app.request("/")).arrayBuffer());
}

const EXPECTED: SseEvent[] = [
  { event: undefined, data: "loading model 'tiny.gguf'" },
  { event: "ping", data: "" },
  { event: undefined, data: "" },
  { event: undefined, data: "température: 0.7 — prêt" },
  { event: "end", data: "the container stopped" },
];

function streamOf(chunks: Uint8Array[]): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(controller) {
      for (const c of chunks) controller.enqueue(c);
      controller.close();
    },
  });
}

async function collect(body: ReadableStream<Uint8Array>): Promise<SseEvent[]> {
  const events: SseEvent[] = [];
  for await (const e of readSse(body)) events.push(e);
  return events;
}

describe("readSse", () => {
  it("reads a logs stream as Hono writes it", async () => {
    expect(await collect(streamOf([await logsStreamBytes()]))).toEqual(EXPECTED);
  });

  it("gives the same events wherever the bytes are cut, inside UTF-8 sequences too", async () => {
    const bytes = await logsStreamBytes();
    for (let cut = 0; cut <= bytes.length; cut++) {
      expect(await collect(streamOf([bytes.subarray(0, cut), bytes.subarray(cut)])), `cut at ${cut}`).toEqual(EXPECTED);
    }
    const oneByOne = Array.from(bytes, (b) => Uint8Array.of(b));
    expect(await collect(streamOf(oneByOne))).toEqual(EXPECTED);
  });

  it("yields each event as soon as its blank line arrives, before the stream ends", async () => {
    const enc = new TextEncoder();
    let push!: (text: string) => void;
    const body = new ReadableStream<Uint8Array>({ start: (c) => void (push = (t) => c.enqueue(enc.encode(t))) });
    const events = readSse(body);
    push("data: first\n");
    push("\n");
    expect((await events.next()).value).toEqual({ event: undefined, data: "first" });
    push("event: end\ndata: bye\n\n");
    expect((await events.next()).value).toEqual({ event: "end", data: "bye" });
    await events.return(undefined);
  });
});
