/**
 * Headers across the gateway. Upstream: the backend's own key (never the client's gateway key),
 * the Anthropic version and beta flags verbatim for Anthropic backends. Downstream: the upstream's
 * headers minus hop-by-hop ones and anything that would describe a body we re-framed.
 */
import type { IncomingHttpHeaders, OutgoingHttpHeaders } from "node:http";
import type { Backend } from "../backends";

const DEFAULT_ANTHROPIC_VERSION = "2023-06-01";

export function upstreamAuthHeaders(b: Backend, client: IncomingHttpHeaders | undefined): OutgoingHttpHeaders {
  if (b.api === "anthropic") {
    const h: OutgoingHttpHeaders = { "anthropic-version": client?.["anthropic-version"] ?? DEFAULT_ANTHROPIC_VERSION };
    if (b.apiKey) h["x-api-key"] = b.apiKey;
    return h;
  }
  return b.apiKey ? { authorization: `Bearer ${b.apiKey}` } : {};
}

/** Client headers worth passing on to a backend of the same protocol. */
const FORWARD_ANTHROPIC = ["anthropic-beta", "x-claude-code-session-id", "anthropic-dangerous-direct-browser-access"] as const;

export function upstreamHeaders(b: Backend, client: IncomingHttpHeaders, stream: boolean): OutgoingHttpHeaders {
  const h: OutgoingHttpHeaders = {
    "content-type": "application/json",
    accept: stream ? "text/event-stream" : "application/json",
    // Bodies are read (usage) and re-framed: compressed ones would need inflating first.
    "accept-encoding": "identity",
    ...upstreamAuthHeaders(b, client),
  };
  if (b.api === "anthropic") {
    for (const name of FORWARD_ANTHROPIC) {
      const v = client[name];
      if (v !== undefined) h[name] = v;
    }
  }
  const ua = client["user-agent"];
  if (ua) h["user-agent"] = ua;
  return h;
}

const DROP = new Set(["connection", "keep-alive", "transfer-encoding", "content-length", "content-encoding", "proxy-authenticate", "proxy-connection", "te", "trailer", "upgrade", "set-cookie", "date", "server"]);

/**
 * Upstream response headers for the client (pass-through only: translated bodies get their own).
 * Our own x-switchyard-* headers say who answered: a backend does not get to say it instead.
 */
export function downstreamHeaders(upstream: IncomingHttpHeaders): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = {};
  for (const name in upstream) {
    if (!DROP.has(name) && !name.startsWith("x-switchyard-")) out[name] = upstream[name];
  }
  return out;
}
