/**
 * One port for everything: the REST API, the agent hub and live WebSockets, the gateway (later),
 * and the Next.js dashboard for every other path. Dashboard pages need a session; without one the
 * browser is sent to /login.
 */
import http, { type IncomingMessage, type ServerResponse } from "node:http";
import https from "node:https";
import type { Duplex } from "node:stream";
import { getRequestListener } from "@hono/node-server";
import type { Hono } from "hono";
import { SESSION_COOKIE, readCookie, type Auth } from "./core/auth";
import type { AgentHub } from "./hub/agent-hub";
import type { LiveHub } from "./hub/live-hub";
import { refuseUpgrade } from "./hub/upgrade-reply";

export type PageHandler = (req: IncomingMessage, res: ServerResponse) => Promise<void> | void;

const PUBLIC_PAGE_PREFIXES = ["/login", "/_next/", "/favicon", "/icon", "/robots.txt"];

export function createHttpServer(deps: {
  api: Hono;
  auth: Auth;
  agentHub: AgentHub;
  liveHub: LiveHub;
  pages: PageHandler | null;
  /** The gateway (server/gateway/http.ts): `/v1/*` for clients, `/metrics` for Prometheus. */
  gateway?: ((req: IncomingMessage, res: ServerResponse) => void) | null;
  /** The agent installer and bundle (`/agent/*`, server/agent-dist), served without auth. */
  agentDist?: ((req: IncomingMessage, res: ServerResponse) => void) | null;
  /** Serve HTTPS with this certificate (server/tls); plain HTTP without. */
  tls?: { cert: string; key: string } | null;
}): http.Server {
  const apiListener = getRequestListener(deps.api.fetch);

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const url = req.url ?? "/";
    if (url.startsWith("/api/") || url === "/api") return void apiListener(req, res);
    if (deps.agentDist && url.startsWith("/agent/")) return deps.agentDist(req, res);
    if (deps.gateway && (url.startsWith("/v1/") || url === "/metrics" || url.startsWith("/metrics?"))) return deps.gateway(req, res);
    // Clients of the gateway (Claude Code) probe the base URL with HEAD / at start-up.
    if (req.method === "HEAD" && (url === "/" || url.startsWith("/?"))) {
      res.writeHead(200).end();
      return;
    }
    if (!deps.pages) {
      res.writeHead(503, { "content-type": "application/json" }).end(JSON.stringify({ error: { code: "unavailable", message: "the dashboard is not built: run npm start" } }));
      return;
    }
    const isPublic = PUBLIC_PAGE_PREFIXES.some((p) => url.startsWith(p));
    if (!isPublic && !deps.auth.checkSession(readCookie(req.headers.cookie, SESSION_COOKIE))) {
      res.writeHead(302, { location: "/login" }).end();
      return;
    }
    void deps.pages(req, res);
  };
  // https.Server is an http.Server in all but its type: same events, timeouts and close methods.
  const server = deps.tls ? (https.createServer({ cert: deps.tls.cert, key: deps.tls.key }, handle) as unknown as http.Server) : http.createServer(handle);

  server.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on("error", () => socket.destroy());
    const path = (req.url ?? "").split("?")[0];
    if (path === "/ws/agent") return deps.agentHub.handleUpgrade(req, socket, head);
    if (path === "/ws/live") return deps.liveHub.handleUpgrade(req, socket, head);
    refuseUpgrade(socket, 404, "not_found", `no WebSocket endpoint at ${path}`);
  });

  // Long-lived agent and dashboard sockets must not be cut by Node's request timeouts.
  server.requestTimeout = 0;
  server.headersTimeout = 30_000;
  server.keepAliveTimeout = 65_000;
  return server;
}
