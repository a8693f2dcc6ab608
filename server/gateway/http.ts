/**
 * The gateway's HTTP entry, on the one server (http-server.ts sends `/v1/*` and `/metrics` here).
 * Plain node:http on this path, no framework: it is the hot path, and the proxy needs raw streams.
 * Paths are matched without the query: Claude Code calls `/v1/messages?beta=true`.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { bearer } from "../http/credentials";
import type { Gateway } from "./gateway";
import type { Protocol } from "./protocol/errors";
import { handleCountTokens } from "./handlers/count-tokens";
import { handleModels } from "./handlers/models";
import { handleProxy } from "./handlers/proxy";
import { writeError } from "./upstream/relay";

export type GatewayHandler = (req: IncomingMessage, res: ServerResponse) => void;

/** Anthropic's error shape for /v1/messages and for clients that send anthropic-version. */
function protocolOf(req: IncomingMessage, path: string): Protocol {
  return path.startsWith("/v1/messages") || req.headers["anthropic-version"] !== undefined ? "anthropic" : "openai";
}

export function createGatewayHandler(gw: Gateway): GatewayHandler {
  const handle = route(gw);
  return (req, res) => {
    if (gw.isReady()) return handle(req, res);
    // The first moments after start, keys and routes are still being read: wait rather than refuse.
    gw.ready.then(() => handle(req, res), () => {
      req.resume();
      writeError(res, protocolOf(req, req.url ?? "/"), 503, "the gateway could not load its keys and routes (see the server log)");
    });
  };
}

function route(gw: Gateway): GatewayHandler {
  return (req, res) => {
    const url = req.url ?? "/";
    const q = url.indexOf("?");
    const path = q === -1 ? url : url.slice(0, q);
    const query = q === -1 ? "" : url.slice(q);
    const method = req.method ?? "GET";
    let done: Promise<void> | undefined;
    if (method === "POST") {
      switch (path) {
        case "/v1/chat/completions":
          done = handleProxy(gw, req, res, "chat", "openai", query);
          break;
        case "/v1/completions":
          done = handleProxy(gw, req, res, "completions", "openai", query);
          break;
        case "/v1/embeddings":
          done = handleProxy(gw, req, res, "embeddings", "openai", query);
          break;
        case "/v1/messages":
          done = handleProxy(gw, req, res, "messages", "anthropic", query);
          break;
        case "/v1/messages/count_tokens":
          done = handleCountTokens(gw, req, res, query);
          break;
      }
    } else if (method === "GET" && path === "/v1/models") {
      done = handleModels(gw, req, res);
    } else if (method === "GET" && path === "/metrics") {
      if (!gw.checkMetricsToken(bearer(req.headers.authorization))) {
        res.writeHead(401, { "content-type": "text/plain", "www-authenticate": "Bearer" }).end("metrics need the admin token or the metrics token as 'Authorization: Bearer …'\n");
        return;
      }
      const body = gw.metricsText();
      res.writeHead(200, { "content-type": "text/plain; version=0.0.4; charset=utf-8", "content-length": Buffer.byteLength(body) }).end(body);
      return;
    }
    if (done === undefined) {
      req.resume();
      const known = "POST /v1/chat/completions, /v1/completions, /v1/embeddings, /v1/messages, /v1/messages/count_tokens; GET /v1/models";
      writeError(res, protocolOf(req, path), 404, `no gateway endpoint ${method} ${path} (known: ${known})`);
      return;
    }
    done.catch((err: unknown) => {
      gw.logError(err, { path });
      if (!res.headersSent) writeError(res, protocolOf(req, path), 500, "internal gateway error (see the server log)");
      else res.destroy();
    });
  };
}
