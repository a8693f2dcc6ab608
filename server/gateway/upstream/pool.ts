/**
 * One keep-alive agent per backend: connections are reused across requests (no TCP/TLS handshake on
 * the hot path) and one slow backend's sockets never starve another's. LIFO scheduling keeps a few
 * warm sockets busy instead of spreading requests over many that then idle out.
 */
import http from "node:http";
import https from "node:https";

const IDLE_SOCKET_MS = 4000;

/** Where requests to one backend go: its agent and its URL, parsed once (not per request). */
export interface UpstreamTarget {
  agent: http.Agent;
  secure: boolean;
  hostname: string;
  port: number;
  /** Path prefix of the base URL ("" or e.g. "/proxy"). */
  base: string;
}

export interface UpstreamPool {
  agentFor(backend: string, url: string): http.Agent;
  targetFor(backend: string, url: string): UpstreamTarget;
  close(): void;
}

export function createUpstreamPool(): UpstreamPool {
  const agents = new Map<string, { url: string; agent: http.Agent; target: UpstreamTarget }>();
  const pool: UpstreamPool = {
    agentFor: (backend, url) => pool.targetFor(backend, url).agent,
    targetFor(backend, url) {
      const hit = agents.get(backend);
      if (hit && hit.url === url) return hit.target;
      hit?.agent.destroy();
      // `timeout` closes idle pooled sockets before the servers' own keep-alive timeouts do
      // (llama.cpp's is 5 s), which narrows the race where a request meets a socket being closed.
      const opts = { keepAlive: true, keepAliveMsecs: 1000, maxSockets: Infinity, maxFreeSockets: 256, scheduling: "lifo" as const, timeout: IDLE_SOCKET_MS };
      const secure = url.startsWith("https:");
      const agent = secure ? new https.Agent(opts) : new http.Agent(opts);
      const u = new URL(url);
      const target: UpstreamTarget = { agent, secure, hostname: u.hostname.replace(/^\[|\]$/g, ""), port: Number(u.port) || (secure ? 443 : 80), base: u.pathname.replace(/\/+$/, "") };
      agents.set(backend, { url, agent, target });
      return target;
    },
    close() {
      for (const { agent } of agents.values()) agent.destroy();
      agents.clear();
    },
  };
  return pool;
}
