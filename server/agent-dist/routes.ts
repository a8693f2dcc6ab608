/**
 * `GET /agent/install.sh` and `GET /agent/switchyard-agent.mjs`, without auth: they hold no secret
 * (the join token is on the user's command line, never in what is served here).
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { TLSSocket } from "node:tls";
import { createLogger } from "../../lib/logger";
import type { ServerTls } from "../tls/server-tls";
import { agentBundleCache, type AgentBundle } from "./bundle";
import { renderInstallScript, requestOrigin } from "./install-script";

const log = createLogger("agent-dist");
export const AGENT_DIST_PREFIX = "/agent/";

export function createAgentDist(deps: { tls: ServerTls | null; bundle?: () => Promise<AgentBundle> }) {
  const bundle = deps.bundle ?? agentBundleCache();

  const send = (req: IncomingMessage, res: ServerResponse, status: number, type: string, body: string | Buffer, extra: Record<string, string> = {}) => {
    res.writeHead(status, { "content-type": type, "content-length": Buffer.byteLength(body), "cache-control": "no-store", "x-content-type-options": "nosniff", ...extra });
    res.end(req.method === "HEAD" ? undefined : body);
  };
  const refuse = (req: IncomingMessage, res: ServerResponse, status: number, message: string) =>
    send(req, res, status, "text/plain; charset=utf-8", `${message}\n`);

  const serve = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const pathname = (req.url ?? "").split("?")[0];
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.setHeader("allow", "GET, HEAD");
      return refuse(req, res, 405, `${req.method} is not allowed here: use GET`);
    }
    if (pathname !== "/agent/install.sh" && pathname !== "/agent/switchyard-agent.mjs") {
      return refuse(req, res, 404, "not found: the agent installer is /agent/install.sh");
    }
    let built: AgentBundle;
    try {
      built = await bundle();
    } catch (err) {
      log.error({ err }, "could not build the agent bundle");
      return refuse(req, res, 503, "the server could not build the agent file: see the server's log");
    }
    if (pathname === "/agent/switchyard-agent.mjs") {
      return send(req, res, 200, "text/javascript; charset=utf-8", built.code, { "x-switchyard-agent-sha256": built.sha256, "x-switchyard-agent-version": built.version });
    }
    const encrypted = (req.socket as TLSSocket).encrypted === true;
    const origin = requestOrigin(req.headers.host, encrypted, req.headers["x-forwarded-proto"] as string | undefined);
    if (!origin) return refuse(req, res, 400, "the Host header must be the server's host[:port] (an address or a DNS name)");
    const script = renderInstallScript({
      serverUrl: origin,
      bundleSha256: built.sha256,
      // Only our own certificate is known to be the one the box sees (not a proxy's).
      fingerprint: encrypted ? deps.tls?.fingerprint ?? null : null,
      curlPin: encrypted ? deps.tls?.curlPin ?? null : null,
    });
    return send(req, res, 200, "text/x-shellscript; charset=utf-8", script);
  };

  return (req: IncomingMessage, res: ServerResponse): void => {
    serve(req, res).catch((err: unknown) => {
      log.error({ err, url: req.url }, "could not serve the agent installer");
      if (!res.headersSent) refuse(req, res, 500, "the server could not make the installer: see the server's log");
      else res.destroy();
    });
  };
}
