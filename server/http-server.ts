/**
 * One port for everything (HTTP, or HTTPS with server/tls): the REST API, the agent hub and live
 * WebSockets, the gateway, the agent installer, and the Next.js dashboard for every other path. The
 * request target is made canonical first (a bad one is a 400), and every decision and router sees
 * that one path. Dashboard pages need a session; without one the browser is sent to /login.
 */
import http, { type IncomingMessage, type ServerResponse } from "node:http";
import https from "node:https";
import type { Duplex } from "node:stream";
import { getRequestListener } from "@hono/node-server";
import type { Hono } from "hono";
import type { AgentHub } from "./hub/agent-hub";
import type { LiveHub } from "./hub/live-hub";
import { refuseUpgrade } from "./hub/upgrade-reply";
import { closeUnreadBodies } from "./http/body-limit";
import { isPublicPage, loginRedirect } from "./http/page-gate";
import type { RequestAuth } from "./http/request-auth";
import { parseRequestTarget } from "./http/request-target";
import { NON_PAGE_POLICY, newNonce, pagePolicy, setSecurityHeaders } from "./http/security-headers";
import { SERVER_TIMEOUTS, type ServerTimeouts } from "./http/timeouts";

export type PageHandler = (req: IncomingMessage, res: ServerResponse) => Promise<void> | void;

function sendError(res: ServerResponse, status: number, code: string, message: string): void {
  res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify({ error: { code, message } }));
}

export function createHttpServer(deps: {
  api: Hono;
  requestAuth: RequestAuth;
  agentHub: AgentHub;
  liveHub: LiveHub;
  pages: PageHandler | null;
  /** The gateway (server/gateway/http.ts): `/v1/*` for clients, `/metrics` for Prometheus. */
  gateway?: ((req: IncomingMessage, res: ServerResponse) => void) | null;
  /** The agent installer and bundle (`/agent/*`, server/agent-dist), served without auth. */
  agentDist?: ((req: IncomingMessage, res: ServerResponse) => void) | null;
  /** Serve HTTPS with this certificate (server/tls); plain HTTP without. */
  tls?: { cert: string; key: string } | null;
  /** Tests shorten these; the server runs with SERVER_TIMEOUTS. */
  timeouts?: ServerTimeouts;
}): http.Server {
  const apiListener = getRequestListener(deps.api.fetch);

  async function servePage(req: IncomingMessage, res: ServerResponse, path: string, url: string): Promise<void> {
    if (!isPublicPage(path) && (await deps.requestAuth.identify({ cookie: req.headers.cookie })) !== "session") {
      res.writeHead(302, { location: loginRedirect(url) }).end();
      return;
    }
    const nonce = newNonce();
    const policy = pagePolicy(nonce);
    // Next.js takes the nonce for its scripts from the request's policy header.
    req.headers["content-security-policy"] = policy;
    setSecurityHeaders(res, policy);
    await deps.pages!(req, res);
  }

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const target = parseRequestTarget(req.url);
    if (!target.ok) return sendError(res, 400, "bad_request", target.message);
    const { path, url } = target;
    req.url = url;
    if (path.startsWith("/v1/") || path === "/metrics") {
      if (deps.gateway) return deps.gateway(req, res);
    }
    setSecurityHeaders(res, NON_PAGE_POLICY);
    if (path.startsWith("/api/") || path === "/api") {
      closeUnreadBodies(req, res);
      return void apiListener(req, res);
    }
    if (deps.agentDist && path.startsWith("/agent/")) return deps.agentDist(req, res);
    // Clients of the gateway (Claude Code) probe the base URL with HEAD / at start-up.
    if (req.method === "HEAD" && path === "/") {
      res.writeHead(200).end();
      return;
    }
    if (!deps.pages) return sendError(res, 503, "unavailable", "the dashboard is not built: run npm start");
    servePage(req, res, path, url).catch(() => {
      if (!res.headersSent) sendError(res, 503, "unavailable", "could not check the session: try again");
      else res.destroy();
    });
  };
  const options = { ...(deps.timeouts ?? SERVER_TIMEOUTS) };
  // https.Server is an http.Server in all but its type: same events, timeouts and close methods.
  const server = deps.tls
    ? (https.createServer({ ...options, cert: deps.tls.cert, key: deps.tls.key }, handle) as unknown as http.Server)
    : http.createServer(options, handle);

  server.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on("error", () => socket.destroy());
    const target = parseRequestTarget(req.url);
    if (!target.ok) return refuseUpgrade(socket, 400, "bad_request", target.message);
    req.url = target.url;
    if (target.path === "/ws/agent") return deps.agentHub.handleUpgrade(req, socket, head);
    if (target.path === "/ws/live") return deps.liveHub.handleUpgrade(req, socket, head);
    refuseUpgrade(socket, 404, "not_found", `no WebSocket endpoint at ${target.path.slice(0, 200)}`);
  });

  return server;
}
