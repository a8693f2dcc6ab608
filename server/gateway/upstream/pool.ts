/**
 * One undici pool per backend: connections are reused across requests (no TCP/TLS handshake on the
 * hot path) and one slow backend's connections never starve another's. Idle connections close
 * after IDLE_MS, or a second before the backend's own `Keep-Alive: timeout=` hint, which narrows
 * the race where a request meets a connection the backend is closing; forward.ts retries what is
 * left of that race once on a fresh connection.
 */
import { Pool, type Dispatcher } from "undici";

const IDLE_MS = 4000;

/** Where requests to one backend go: its pool, and the path prefix of its base URL. */
export interface UpstreamTarget {
  dispatcher: Dispatcher;
  origin: string;
  /** Path prefix of the base URL ("" or e.g. "/proxy"). */
  base: string;
}

export interface UpstreamPool {
  targetFor(backend: string, url: string): UpstreamTarget;
  /** Drops the pools of backends not in `names` (deployments come and go, each with a new name). */
  retain(names: { has(name: string): boolean }): void;
  /** Backends with a pool now. */
  size(): number;
  close(): void;
}

// No timeouts of undici's own (300 s for headers and between body chunks): the gateway has its
// watchdog and per-backend first-byte limit, and a long prompt may think for longer than that.
export const UPSTREAM_OPTIONS = { headersTimeout: 0, bodyTimeout: 0, keepAliveTimeout: IDLE_MS, keepAliveMaxTimeout: IDLE_MS };

/** A backend's base URL as requests use it: where to connect, and the path prefix (no trailing slash). */
export function splitBaseUrl(url: string): Pick<UpstreamTarget, "origin" | "base"> {
  const u = new URL(url);
  return { origin: u.origin, base: u.pathname.replace(/\/+$/, "") };
}

export function createUpstreamPool(): UpstreamPool {
  const pools = new Map<string, { url: string; target: UpstreamTarget }>();
  return {
    targetFor(backend, url) {
      const hit = pools.get(backend);
      if (hit && hit.url === url) return hit.target;
      if (hit) retire(hit.target.dispatcher);
      const { origin, base } = splitBaseUrl(url);
      const target: UpstreamTarget = { dispatcher: new Pool(origin, UPSTREAM_OPTIONS), origin, base };
      pools.set(backend, { url, target });
      return target;
    },
    retain(names) {
      for (const [name, { target }] of pools) {
        if (names.has(name)) continue;
        pools.delete(name);
        retire(target.dispatcher);
      }
    },
    size: () => pools.size,
    close() {
      for (const { target } of pools.values()) void target.dispatcher.destroy().catch(() => {});
      pools.clear();
    },
  };
}

/** A backend that is gone (or moved): requests in flight on it finish, then its connections close. */
function retire(dispatcher: Dispatcher): void {
  void dispatcher.close().catch(() => {});
}
