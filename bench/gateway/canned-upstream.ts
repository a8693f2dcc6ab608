/**
 * The canned upstream for `bench:gateway`: an OpenAI-compatible endpoint that answers at once with
 * a fixed completion, or a fixed SSE stream whose first event is flushed immediately. Runs in its
 * own process so it never competes with the load generator's event loop.
 */
import http from "node:http";

const port = Number(process.argv[2] ?? 0);
const COMPLETION = JSON.stringify({
  id: "chatcmpl-bench", object: "chat.completion", created: 1, model: "canned-model",
  choices: [{ index: 0, message: { role: "assistant", content: "Hello! I am a canned reply, the same every time." }, finish_reason: "stop" }],
  usage: { prompt_tokens: 12, completion_tokens: 11, total_tokens: 23 },
});
const chunk = (delta: unknown, finish: string | null = null) =>
  `data: ${JSON.stringify({ id: "c", object: "chat.completion.chunk", created: 1, model: "canned-model", choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
const FIRST = chunk({ role: "assistant", content: "Hello" });
const REST = ["!", " I am", " a canned", " stream."].map((t) => chunk({ content: t })).join("") + chunk({}, "stop") + "data: [DONE]\n\n";
const STREAM_FLAG = Buffer.from('"stream":true');

const server = http.createServer((req, res) => {
  if (req.method === "GET") return void res.writeHead(200, { "content-type": "application/json" }).end('{"status":"ok"}');
  const chunks: Buffer[] = [];
  req.on("data", (c: Buffer) => chunks.push(c));
  req.on("end", () => {
    const body = Buffer.concat(chunks);
    if (body.includes(STREAM_FLAG)) {
      res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
      res.write(FIRST);
      setImmediate(() => res.end(REST));
      return;
    }
    res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(COMPLETION) });
    res.end(COMPLETION);
  });
});
server.keepAliveTimeout = 65_000;
server.listen(port, "127.0.0.1", () => {
  process.stdout.write(`${(server.address() as { port: number }).port}\n`);
});
process.on("SIGTERM", () => process.exit(0));
