/**
 * The request clock cuts slow bodies but not long-lived answers. The server of http-server.ts with
 * its clocks shortened (1 s request timeout, checked every 250 ms, the same ratio as 30 s / 15 s):
 * a body that trickles is closed, while a server-sent event stream, a streaming gateway answer and
 * a WebSocket run three times as long, untouched. (limits.test.ts checks the real 30 s / 45 s.)
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { Hono } from "hono";
import { streamSSE } from "hono/streaming";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { toErrorResponse } from "../../server/api/errors";
import { jsonBody } from "../../server/api/json-body";
import { createFleet } from "../../server/core/fleet";
import { openMemoryDatabase } from "../../server/db/client";
import { nodesRepo } from "../../server/db/repos/nodes-repo";
import { createHttpServer } from "../../server/http-server";
import type { AgentHub } from "../../server/hub/agent-hub";
import { createLiveHub, type LiveHub } from "../../server/hub/live-hub";
import { openRaw, requestHead } from "../helpers/raw-http";

const LONG_MS = 3000;
const TIMEOUTS = { requestTimeout: 1000, headersTimeout: 1000, connectionsCheckingInterval: 250, keepAliveTimeout: 5000 };

describe("request timeouts spare long-lived answers", () => {
  let server: http.Server;
  let liveHub: LiveHub;
  let base: string;

  beforeAll(async () => {
    const api = new Hono().basePath("/api");
    api.get("/stream", (c) =>
      streamSSE(c, async (s) => {
        for (let i = 0; i * 250 < LONG_MS; i++) {
          await s.writeSSE({ data: String(i) });
          await s.sleep(250);
        }
        await s.writeSSE({ event: "end", data: "" });
      }));
    api.onError(toErrorResponse);
    api.post("/echo", async (c) => c.json(await jsonBody(c)));
    liveHub = createLiveHub({ authorize: async () => true, fleet: await createFleet(nodesRepo(openMemoryDatabase())) });
    const gateway = (req: http.IncomingMessage, res: http.ServerResponse) => {
      res.writeHead(200, { "content-type": "text/event-stream" });
      let i = 0;
      const t = setInterval(() => {
        res.write(`data: ${i++}\n\n`);
        if (i * 250 >= LONG_MS) {
          clearInterval(t);
          res.end("data: [DONE]\n\n");
        }
      }, 250);
      req.on("close", () => clearInterval(t));
    };
    server = createHttpServer({
      api, requestAuth: { identify: async () => null, sessionToken: () => null, allowsUpgrade: async () => true },
      agentHub: { handleUpgrade: () => {} } as unknown as AgentHub, liveHub, pages: null, gateway, timeouts: TIMEOUTS,
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await liveHub.close();
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  it("closes a body that has not arrived whole within the request timeout", async () => {
    const port = (server.address() as AddressInfo).port;
    const started = Date.now();
    const conn = await openRaw(port, requestHead("POST", "/api/echo", { "content-length": 100 }));
    await conn.write("only some of it");
    await conn.closed;
    expect(Date.now() - started).toBeLessThan(1000 + 250 + 1000); // timeout + one check + slack
  });

  it("lets a server-sent event stream run past it", async () => {
    const res = await fetch(`${base}/api/stream`);
    const text = await res.text();
    expect(text).toContain("event: end");
    expect(text.match(/^data: \d+$/gm)?.length).toBe(LONG_MS / 250);
  });

  it("lets a streaming gateway answer run past it", async () => {
    const res = await fetch(`${base}/v1/chat/completions`, { method: "POST", body: "{}" });
    const text = await res.text();
    expect(text).toContain("data: [DONE]");
  });

  it("lets a WebSocket stay open past it", async () => {
    const ws = new WebSocket(`${base.replace("http", "ws")}/ws/live`);
    await new Promise((resolve, reject) => {
      ws.once("open", resolve);
      ws.once("error", reject);
    });
    let closed = false;
    ws.once("close", () => (closed = true));
    await new Promise((r) => setTimeout(r, LONG_MS));
    expect(closed).toBe(false);
    expect(ws.readyState).toBe(WebSocket.OPEN);
    ws.close();
  });
});
