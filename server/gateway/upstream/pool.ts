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
  /** Drops the agents of backends not in `names` (deployments come and go, each with a new name). */
  retain(names: { has(name: string): boolean }): void;
  /** Backends with an agent now. */
  size(): number;
  close(): void;
}

export function createUpstreamPool(): UpstreamPool {
  const agents = new Map<string, { url: string; agent: http.Agent; target: UpstreamTarget }>();
  const pool: UpstreamPool = {
    agentFor: (backend, url) => pool.targetFor(backend, url).agent,
    targetFor(backend, url) {
      const hit = agents.get(backend);
      if (hit && hit.url === url) return hit.target;
      if (hit) retire(hit.agent);
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
    retain(names) {
      for (const [name, { agent }] of agents) {
        if (names.has(name)) continue;
        agents.delete(name);
        retire(agent);
      }
    },
    size: () => agents.size,
    close() {
      for (const { agent } of agents.values()) agent.destroy();
      agents.clear();
    },
  };
  return pool;
}

/**
 * A backend that is gone (or moved): its idle sockets close now. Requests still in flight on it
 * finish; their sockets then idle out through the agent's `timeout`, and the agent goes with them.
 */
function retire(agent: http.Agent): void {
  if (Object.values(agent.sockets).every((list) => !list || list.length === 0)) return void agent.destroy();
  for (const list of Object.values(agent.freeSockets)) for (const socket of list ?? []) socket.destroy();
}
