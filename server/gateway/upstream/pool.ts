/**
 * One keep-alive agent per backend: connections are reused across requests (no TCP/TLS handshake on
 * the hot path) and one slow backend's sockets never starve another's. LIFO scheduling keeps a few
 * warm sockets busy instead of spreading requests over many that then idle out.
 */
import http from "node:http";
import https from "node:https";

const IDLE_SOCKET_MS = 4000;

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
      // `timeout` closes idle pooled sockets before the servers' own keep-alive timeouts do
      // (llama.cpp's is 5 s), which narrows the race where a request meets a socket being closed.
      const opts = { keepAlive: true, keepAliveMsecs: 1000, maxSockets: Infinity, maxFreeSockets: 256, scheduling: "lifo" as const, timeout: IDLE_SOCKET_MS };
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
