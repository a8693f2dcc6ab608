/**
 * Reference for the ingest benchmark: the floor of any WebSocket JSON ingest — a bare `ws`
 * server that accepts the same connections and JSON-parses every message, nothing else.
 */
import { WebSocketServer } from "ws";

const wss = new WebSocketServer({ port: Number(process.argv[2]), host: "127.0.0.1" });
let parsed = 0;
wss.on("connection", (ws) => {
  ws.on("message", (data) => {
    const msg = JSON.parse(data.toString()) as { type: string };
    if (msg.type === "hello") ws.send(JSON.stringify({ type: "welcome", v: 1, nodeId: "x", sampleIntervalMs: 1000 }));
    parsed += 1;
  });
});
process.on("SIGTERM", () => {
  process.stdout.write(`${parsed}\n`);
  process.exit(0);
});
