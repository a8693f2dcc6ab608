/**
 * One port for everything: the REST API, the agent hub and live WebSockets, the gateway, and the
 * Next.js dashboard for every other path. The request target is made canonical first (a bad one is
 * a 400), and every decision and router sees that one path. Dashboard pages need a session; without
 * one the browser is sent to /login.
 */
import http, { type IncomingMessage, type ServerResponse } from "node:http";
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

  const server = http.createServer({ ...(deps.timeouts ?? SERVER_TIMEOUTS) }, (req, res) => {
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
  });

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
