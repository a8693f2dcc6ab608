/**
 * The streaming upstream of `bench:gateway`'s streams-at-scale run: every POST is answered with an
 * SSE stream of `chunks` events, one every `intervalMs` (a model generating at 1000/intervalMs
 * tokens/s), each stamped with the wall-clock time it was written, then `data: [DONE]`. A timer per
 * stream, anchored to its start (no drift). Its own process: it must not share an event loop with
 * the client that measures. argv: port intervalMs chunks.
 */
import http from "node:http";

const [port = 0, intervalMs = 50, chunks = 40] = process.argv.slice(2).map(Number);
const now = () => performance.timeOrigin + performance.now();
const event = (i: number) =>
  `data: {"id":"c","object":"chat.completion.chunk","created":1,"model":"timed","choices":[{"index":0,"delta":{"content":" tok${i}"},"finish_reason":null}],"t":${now().toFixed(3)}}\n\n`;

const server = http.createServer((req, res) => {
  req.resume();
  req.on("end", () => {
    if (req.method !== "POST") return void res.writeHead(200, { "content-type": "application/json" }).end('{"status":"ok"}');
    res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
    const start = performance.now();
    let i = 0;
    const next = () => {
      if (res.destroyed) return;
      res.write(event(i++));
      if (i < chunks) setTimeout(next, start + i * intervalMs - performance.now());
      else res.end("data: [DONE]\n\n");
    };
    next();
  });
});
server.keepAliveTimeout = 300_000;
server.maxHeadersCount = 0;
server.listen(port, "127.0.0.1", () => process.stdout.write(`${(server.address() as { port: number }).port}\n`));
process.on("SIGTERM", () => process.exit(0));
