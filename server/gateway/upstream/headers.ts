/**
 * Headers across the gateway, as flat [name, value, …] arrays (what undici and writeHead take
 * without building objects). Upstream: the backend's own key (never the client's gateway key), the
 * Anthropic version and beta flags verbatim for Anthropic backends. Downstream: the upstream's
 * headers minus hop-by-hop ones and anything that would describe a body we re-framed.
 */
import type { IncomingHttpHeaders } from "node:http";
import type { Backend } from "../backends";

const DEFAULT_ANTHROPIC_VERSION = "2023-06-01";

/** Appends the backend's credentials (and Anthropic's version) to `out`. */
export function upstreamAuthHeaders(b: Backend, client: IncomingHttpHeaders | undefined, out: string[] = []): string[] {
  if (b.api === "anthropic") {
    const version = client?.["anthropic-version"];
    out.push("anthropic-version", typeof version === "string" ? version : DEFAULT_ANTHROPIC_VERSION);
    if (b.apiKey) out.push("x-api-key", b.apiKey);
  } else if (b.apiKey) out.push("authorization", `Bearer ${b.apiKey}`);
  return out;
}

/** Client headers worth passing on to a backend of the same protocol. */
const FORWARD_ANTHROPIC = ["anthropic-beta", "x-claude-code-session-id", "anthropic-dangerous-direct-browser-access"] as const;

export function upstreamHeaders(b: Backend, client: IncomingHttpHeaders, stream: boolean): string[] {
  // Bodies are read (usage) and re-framed: compressed ones would need inflating first.
  const h = ["content-type", "application/json", "accept", stream ? "text/event-stream" : "application/json", "accept-encoding", "identity"];
  upstreamAuthHeaders(b, client, h);
  if (b.api === "anthropic") {
    for (const name of FORWARD_ANTHROPIC) {
      const v = client[name];
      if (typeof v === "string") h.push(name, v);
    }
  }
  const ua = client["user-agent"];
  if (ua) h.push("user-agent", ua);
  return h;
}

const DROP = new Set(["connection", "keep-alive", "transfer-encoding", "content-length", "content-encoding", "proxy-authenticate", "proxy-connection", "te", "trailer", "upgrade", "set-cookie", "date", "server"]);

/**
 * Upstream response headers (undici's raw [name, value, …]) for the client; pass-through only.
 * Our own x-switchyard-* headers say who answered (observe/answered-by.ts): a backend does not get
 * to say it instead.
 */
export function downstreamHeaders(raw: readonly Buffer[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!.toString("latin1").toLowerCase();
    if (!DROP.has(name) && !name.startsWith("x-switchyard-")) out.push(name, raw[i + 1]!.toString("latin1"));
  }
  return out;
}
