/**
 * One keep-alive agent per backend: connections are reused across requests (no TCP/TLS handshake on
 * the hot path) and one slow backend's sockets never starve another's. LIFO scheduling keeps a few
 * warm sockets busy instead of spreading requests over many that then idle out.
 */
import http from "node:http";
import https from "node:https";

export interface UpstreamPool {
  agentFor(backend: string, url: string): http.Agent;
  close(): void;
}

export function createUpstreamPool(): UpstreamPool {
  const agents = new Map<string, { url: string; agent: http.Agent }>();
  return {
    agentFor(backend, url) {
      const hit = agents.get(backend);
      if (hit && hit.url === url) return hit.agent;
      hit?.agent.destroy();
      const opts = { keepAlive: true, keepAliveMsecs: 30_000, maxSockets: Infinity, maxFreeSockets: 256, scheduling: "lifo" as const, timeout: 0 };
      const agent = url.startsWith("https:") ? new https.Agent(opts) : new http.Agent(opts);
      agents.set(backend, { url, agent });
      return agent;
    },
    close() {
      for (const { agent } of agents.values()) agent.destroy();
      agents.clear();
    },
  };
}
