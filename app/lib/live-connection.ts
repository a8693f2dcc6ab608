/**
 * The one `/ws/live` socket of this tab: opened while any dashboard page uses it, reconnecting
 * with jittered exponential backoff, feeding the fleet store and the react-query cache.
 */
import type { QueryClient } from "@tanstack/react-query";
import { backoffMs as exponentialBackoffMs } from "../../lib/backoff";
import type { LiveMessage, NodeView } from "../../protocol/live";
import { api, queryKeys } from "./api";
import { fleetStore, type FleetStore } from "./fleet-store";

export type LiveStatus = "connecting" | "live" | "reconnecting";

const BACKOFF_BASE_MS = 500;
const BACKOFF_MAX_MS = 15_000;
/** Keep the socket across a page change (one page unmounts, the next mounts). */
const IDLE_CLOSE_MS = 5_000;
/** Close codes a server may use for "your session is not valid". */
const AUTH_CLOSE_CODES = new Set([1008, 4001, 4401, 4403]);

export function backoffMs(attempt: number, random: () => number = Math.random): number {
  // "Equal jitter": never less than half the ceiling, so a flapping server is not hammered.
  return exponentialBackoffMs(attempt, { baseMs: BACKOFF_BASE_MS, maxMs: BACKOFF_MAX_MS, jitter: [0.5, 1], random });
}

function isLiveMessage(m: unknown): m is LiveMessage {
  if (typeof m !== "object" || m === null) return false;
  const msg = m as { type?: unknown; nodes?: unknown; node?: unknown; name?: unknown };
  switch (msg.type) {
    case "snapshot":
      return Array.isArray(msg.nodes);
    case "node":
      return typeof msg.node === "object" && msg.node !== null && typeof (msg.node as NodeView).name === "string";
    case "removed":
      return typeof msg.name === "string";
    default:
      return false;
  }
}

export class LiveConnection {
  status: LiveStatus = "connecting";
  private ws: WebSocket | null = null;
  private attempt = 0;
  private refs = 0;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private idleTimer: ReturnType<typeof setTimeout> | null = null;
  private queryClient: QueryClient | null = null;
  private statusListeners = new Set<() => void>();

  constructor(private readonly store: FleetStore) {}

  subscribeStatus = (l: () => void): (() => void) => {
    this.statusListeners.add(l);
    return () => {
      this.statusListeners.delete(l);
    };
  };

  getStatus = (): LiveStatus => this.status;

  acquire(queryClient: QueryClient): void {
    this.queryClient = queryClient;
    this.refs++;
    if (this.idleTimer) {
      clearTimeout(this.idleTimer);
      this.idleTimer = null;
    }
    if (this.refs === 1 && !this.ws && !this.retryTimer) {
      window.addEventListener("online", this.reconnectNow);
      document.addEventListener("visibilitychange", this.onVisible);
      this.connect();
    }
  }

  release(): void {
    this.refs = Math.max(0, this.refs - 1);
    if (this.refs > 0) return;
    this.idleTimer = setTimeout(() => this.shutdown(), IDLE_CLOSE_MS);
  }

  private shutdown(): void {
    this.idleTimer = null;
    if (this.refs > 0) return;
    window.removeEventListener("online", this.reconnectNow);
    document.removeEventListener("visibilitychange", this.onVisible);
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    const ws = this.ws;
    this.ws = null;
    ws?.close(1000, "page closed");
    this.setStatus("connecting");
  }

  private connect(): void {
    this.retryTimer = null;
    const scheme = window.location.protocol === "https:" ? "wss" : "ws";
    let ws: WebSocket;
    try {
      ws = new WebSocket(`${scheme}://${window.location.host}/ws/live`);
    } catch {
      this.scheduleReconnect(false, 1006);
      return;
    }
    this.ws = ws;
    let opened = false;
    ws.onopen = () => {
      opened = true;
      this.attempt = 0;
      this.setStatus("live");
    };
    ws.onmessage = (ev: MessageEvent) => {
      if (typeof ev.data !== "string") return;
      let msg: unknown;
      try {
        msg = JSON.parse(ev.data);
      } catch {
        return;
      }
      if (isLiveMessage(msg)) this.dispatch(msg);
    };
    ws.onclose = (ev: CloseEvent) => {
      if (this.ws !== ws) return; // a socket we already replaced or shut down
      this.ws = null;
      if (this.refs === 0) return;
      this.scheduleReconnect(opened, ev.code);
    };
    // onerror is always followed by onclose, which does the work.
  }

  private scheduleReconnect(wasOpen: boolean, code: number): void {
    this.setStatus("reconnecting");
    // A browser cannot see why an upgrade failed. Ask REST, which says 401 plainly (and navigates
    // to /login through apiFetch) and keeps the page's numbers fresh while the socket is down.
    if (!wasOpen || AUTH_CLOSE_CODES.has(code)) {
      api
        .nodes()
        .then((nodes) => this.store.applyList(nodes, { fromSocket: false }))
        .catch(() => undefined);
    }
    const delay = backoffMs(this.attempt++);
    this.retryTimer = setTimeout(() => this.connect(), delay);
  }

  private reconnectNow = (): void => {
    if (this.ws || this.refs === 0 || !this.retryTimer) return;
    clearTimeout(this.retryTimer);
    this.attempt = 0;
    this.connect();
  };

  private onVisible = (): void => {
    if (document.visibilityState === "visible") this.reconnectNow();
  };

  private dispatch(msg: LiveMessage): void {
    const qc = this.queryClient;
    switch (msg.type) {
      case "snapshot":
        this.store.applyList(msg.nodes, { fromSocket: true });
        qc?.setQueryData(queryKeys.nodes, msg.nodes);
        for (const n of msg.nodes) if (qc?.getQueryData(queryKeys.node(n.name))) qc.setQueryData(queryKeys.node(n.name), n);
        break;
      case "node": {
        // The store is what live views read. The cached REST list is left as it was: rewriting it
        // per message deep-compared the whole fleet (react-query's structural sharing) 50 times a
        // second with 50 nodes, for readers that refetch it on their own anyway.
        const { node } = msg;
        this.store.applyNode(node, msg.sampleTs);
        if (qc?.getQueryData(queryKeys.node(node.name))) qc.setQueryData(queryKeys.node(node.name), node);
        break;
      }
      case "removed":
        this.store.remove(msg.name);
        qc?.setQueryData<NodeView[]>(queryKeys.nodes, (prev) => prev?.filter((n) => n.name !== msg.name));
        break;
    }
  }

  private setStatus(s: LiveStatus): void {
    if (this.status === s) return;
    this.status = s;
    for (const l of this.statusListeners) l();
  }
}

export const liveConnection = new LiveConnection(fleetStore);
