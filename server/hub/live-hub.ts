/**
 * Fan-out of fleet changes to dashboards over `/ws/live`. Each update is serialised once. A browser
 * that reads slowly never holds up the others or the hub: while its socket buffer is above the high
 * mark, only the newest update per node is kept for it and sent once it drains; one that stays
 * stuck is dropped (it reconnects and gets a fresh snapshot).
 */
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { WebSocketServer, WebSocket } from "ws";
import type { LiveMessage } from "../../protocol/live";
import type { Fleet } from "../core/fleet";
import { createLogger } from "../../lib/logger";
import { refuseUpgrade } from "./upgrade-reply";

const log = createLogger("live-hub");
const HIGH_WATER = 1 << 20;
const STUCK_MS = 30_000;
const DRAIN_EVERY_MS = 100;

interface Client {
  ws: WebSocket;
  pending: Map<string, string>;
  stuckSince: number | null;
}

export interface LiveHub {
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  clientCount(): number;
  close(): Promise<void>;
}

export function createLiveHub(deps: {
  /** Whether the handshake carries the admin token or a dashboard session (server/http/request-auth.ts). */
  authorize: (req: IncomingMessage) => Promise<boolean>;
  fleet: Fleet;
}): LiveHub {
  const { authorize, fleet } = deps;
  const wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 });
  const clients = new Set<Client>();

  const deliver = (c: Client, key: string, text: string) => {
    if (c.ws.readyState !== WebSocket.OPEN) return;
    if (c.ws.bufferedAmount > HIGH_WATER || c.pending.size > 0) {
      c.pending.set(key, text);
      c.stuckSince ??= Date.now();
      return;
    }
    c.ws.send(text);
  };

  const unsubscribe = fleet.subscribe((node, sampleTs) => {
    if (clients.size === 0) return;
    const text = JSON.stringify({ type: "node", node, sampleTs } satisfies LiveMessage);
    for (const c of clients) deliver(c, node.name, text);
  });

  const offRemoved = fleet.onRemoved((name) => {
    const text = JSON.stringify({ type: "removed", name } satisfies LiveMessage);
    for (const c of clients) deliver(c, name, text);
  });

  const drainer = setInterval(() => {
    const now = Date.now();
    for (const c of clients) {
      if (c.pending.size === 0) continue;
      if (c.ws.bufferedAmount <= HIGH_WATER) {
        for (const text of c.pending.values()) c.ws.send(text);
        c.pending.clear();
        c.stuckSince = null;
      } else if (c.stuckSince !== null && now - c.stuckSince > STUCK_MS) {
        log.warn("dropping a dashboard connection that stopped reading");
        c.ws.terminate();
      }
    }
  }, DRAIN_EVERY_MS);
  drainer.unref();

  wss.on("connection", (ws: WebSocket) => {
    const client: Client = { ws, pending: new Map(), stuckSince: null };
    clients.add(client);
    ws.send(JSON.stringify({ type: "snapshot", nodes: fleet.list() } satisfies LiveMessage));
    ws.on("close", () => clients.delete(client));
    ws.on("error", () => clients.delete(client));
    // The dashboard sends nothing that matters; ignore whatever comes.
  });

  return {
    handleUpgrade(req, socket, head) {
      void authorize(req).then(
        (ok) => {
          if (socket.destroyed) return;
          if (!ok) return refuseUpgrade(socket, 401, "unauthorized", "sign in first");
          wss.handleUpgrade(req, socket, head, (ws) => wss.emit("connection", ws, req));
        },
        () => refuseUpgrade(socket, 503, "unavailable", "could not check the session: try again"),
      );
    },
    clientCount: () => clients.size,
    async close() {
      unsubscribe();
      offRemoved();
      clearInterval(drainer);
      for (const c of clients) c.ws.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}
