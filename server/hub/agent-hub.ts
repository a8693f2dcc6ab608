/**
 * The agent hub: agents dial out to `/ws/agent`. The enrollment token and protocol version are
 * checked before the upgrade (401 / 426 with a JSON reason the agent prints). After a `hello`,
 * telemetry flows into the fleet and history. A malformed message is counted and dropped; the
 * connection survives it.
 */
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { WebSocketServer, type WebSocket } from "ws";
import { AGENT_HEADERS, CLOSE_CODES, PROTOCOL_VERSION, agentMessageSchema, type ServerMessage } from "../../protocol/agent-wire";
import type { Auth } from "../core/auth";
import { bearer } from "../http/credentials";
import { correctClockSkew } from "../core/clock-skew";
import { AgentUnansweredError, ServiceError, type ErrorCode } from "../core/errors";
import type { Fleet } from "../core/fleet";
import type { History } from "../core/history";
import { createLogger } from "../../lib/logger";
import { refuseUpgrade } from "./upgrade-reply";

const log = createLogger("agent-hub");
const HELLO_TIMEOUT_MS = 10_000;
const SAMPLE_INTERVAL_MS = 1000;

export interface AgentHubStats {
  connected: number;
  messages: number;
  malformed: number;
  refused: number;
}

export type AgentEventListener = (node: { id: string; name: string }, event: string, payload: unknown) => void;

const ERROR_CODES = new Set<ErrorCode>(["bad_request", "unauthorized", "forbidden", "not_found", "conflict", "unavailable"]);

export interface AgentHub {
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  /** Asks a connected agent to do something; rejects with a ServiceError when it cannot. */
  request(nodeName: string, action: string, payload: unknown, timeoutMs?: number): Promise<unknown>;
  onEvent(listener: AgentEventListener): () => void;
  isConnected(nodeName: string): boolean;
  /** The node's address as this server sees its agent's connection (kept after it disconnects). */
  remoteAddress(nodeName: string): string | null;
  stats(): AgentHubStats;
  close(): Promise<void>;
}

export function createAgentHub(deps: { auth: Auth; fleet: Fleet; history: History; offlineAfterMs: number }): AgentHub {
  const { auth, fleet, history } = deps;
  const wss = new WebSocketServer({ noServer: true, maxPayload: 8 * 1024 * 1024 });
  const socketsByNode = new Map<string, WebSocket>();
  const counters = { messages: 0, malformed: 0, refused: 0 };
  const pending = new Map<string, { resolve(v: unknown): void; reject(e: Error): void; timer: NodeJS.Timeout; node: string }>();
  const eventListeners = new Set<AgentEventListener>();
  const addresses = new Map<string, string>();
  let nextRequestId = 1;
  let lastMalformedLog = 0;

  const send = (ws: WebSocket, msg: ServerMessage) => ws.send(JSON.stringify(msg));

  const noteMalformed = (node: string | null, detail: string) => {
    counters.malformed += 1;
    const now = Date.now();
    if (now - lastMalformedLog > 5000) {
      lastMalformedLog = now;
      log.warn({ node, detail: detail.slice(0, 300), total: counters.malformed }, "malformed agent message dropped");
    }
  };

  wss.on("connection", (ws: WebSocket, req: IncomingMessage) => {
    let nodeId: string | null = null;
    let nodeName: string | null = null;
    // Telemetry may arrive while the hello is still being registered: keep order.
    let queue: Promise<void> = Promise.resolve();
    const helloTimer = setTimeout(() => {
      if (!nodeId) ws.close(CLOSE_CODES.protocolMismatch, "no hello");
    }, HELLO_TIMEOUT_MS);

    ws.on("message", (data, isBinary) => {
      counters.messages += 1;
      let raw: unknown;
      try {
        raw = JSON.parse(isBinary ? Buffer.from(data as Buffer).toString("utf8") : data.toString());
      } catch {
        return noteMalformed(nodeName, "not JSON");
      }
      const parsed = agentMessageSchema.safeParse(raw);
      if (!parsed.success) return noteMalformed(nodeName, parsed.error.message);
      const msg = parsed.data;
      queue = queue.then(async () => {
        if (msg.type === "hello") {
          const previous = socketsByNode.get(msg.node);
          if (previous && previous !== ws) previous.close(CLOSE_CODES.replaced, "replaced by a newer connection");
          nodeName = msg.node;
          // Claim the name before awaiting, so the replaced socket's close cannot mark it offline.
          socketsByNode.set(msg.node, ws);
          nodeId = await fleet.connect({ name: msg.node, agentVersion: msg.agentVersion, facts: msg.facts });
          addresses.set(msg.node, hostAddress(req.socket.remoteAddress));
          clearTimeout(helloTimer);
          send(ws, { type: "welcome", v: PROTOCOL_VERSION, nodeId, sampleIntervalMs: SAMPLE_INTERVAL_MS });
          log.info({ node: msg.node, agentVersion: msg.agentVersion }, "agent connected");
        } else if (msg.type === "telemetry") {
          if (!nodeId) return noteMalformed(nodeName, "telemetry before hello");
          const samples = correctClockSkew(msg.samples, Date.now());
          history.record(nodeId, samples);
          await fleet.ingest(nodeId, samples);
        } else if (msg.type === "response") {
          const waiting = pending.get(msg.id);
          if (!waiting) return;
          pending.delete(msg.id);
          clearTimeout(waiting.timer);
          if (msg.ok) waiting.resolve(msg.result);
          else {
            const code = ERROR_CODES.has(msg.error?.code as ErrorCode) ? (msg.error!.code as ErrorCode) : "bad_request";
            waiting.reject(new ServiceError(code, msg.error?.message ?? `${nodeName} could not do that`));
          }
        } else if (msg.type === "event") {
          if (!nodeId || !nodeName) return noteMalformed(nodeName, "event before hello");
          for (const l of eventListeners) {
            try {
              l({ id: nodeId, name: nodeName }, msg.event, msg.payload);
            } catch (err) {
              log.error({ err, event: msg.event }, "agent event listener failed");
            }
          }
        }
      }).catch((err) => log.error({ err, node: nodeName }, "handling agent message failed"));
    });

    ws.on("close", (code) => {
      clearTimeout(helloTimer);
      if (nodeName && socketsByNode.get(nodeName) === ws) {
        socketsByNode.delete(nodeName);
        for (const [id, waiting] of pending) {
          if (waiting.node !== nodeName) continue;
          pending.delete(id);
          clearTimeout(waiting.timer);
          waiting.reject(new AgentUnansweredError(`node ${nodeName} disconnected before it answered`));
        }
        if (nodeId) void queue.then(() => fleet.disconnect(nodeId!));
        log.info({ node: nodeName, code }, "agent disconnected");
      }
    });
    ws.on("error", (err) => log.warn({ err: err.message, node: nodeName }, "agent socket error"));
  });

  // Killed agents close their sockets at once; a silent one (network gone, host frozen) is cut here.
  const sweeper = setInterval(() => {
    for (const id of fleet.sweep(Date.now(), deps.offlineAfterMs)) {
      const node = fleet.list().find((n) => n.id === id);
      const ws = node ? socketsByNode.get(node.name) : undefined;
      if (ws) ws.terminate();
      else void fleet.disconnect(id);
    }
  }, 1000);
  sweeper.unref();

  return {
    handleUpgrade(req, socket, head) {
      const token = bearer(req.headers[AGENT_HEADERS.token]);
      if (!auth.checkAgentToken(token)) {
        counters.refused += 1;
        return refuseUpgrade(socket, 401, "unauthorized", "the enrollment token was not accepted: copy it again from the dashboard (Add a GPU box)");
      }
      const version = Number(req.headers[AGENT_HEADERS.protocol] ?? PROTOCOL_VERSION);
      if (version !== PROTOCOL_VERSION) {
        counters.refused += 1;
        return refuseUpgrade(socket, 426, "protocol_mismatch", `this server speaks agent protocol ${PROTOCOL_VERSION}, the agent speaks ${version}: update the agent`);
      }
      wss.handleUpgrade(req, socket, head, (ws) => wss.emit("connection", ws, req));
    },
    request(nodeName, action, payload, timeoutMs = 30_000) {
      const ws = socketsByNode.get(nodeName);
      if (!ws || ws.readyState !== ws.OPEN) {
        return Promise.reject(new ServiceError("unavailable", `node ${nodeName} is offline: start its agent (switchyard-agent) and try again`));
      }
      const id = String(nextRequestId++);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          pending.delete(id);
          reject(new AgentUnansweredError(`node ${nodeName} did not answer '${action}' within ${Math.round(timeoutMs / 1000)} s`));
        }, timeoutMs);
        pending.set(id, { resolve, reject, timer, node: nodeName });
        send(ws, { type: "request", v: PROTOCOL_VERSION, id, action, payload });
      });
    },
    onEvent(listener) {
      eventListeners.add(listener);
      return () => eventListeners.delete(listener);
    },
    isConnected: (nodeName) => socketsByNode.has(nodeName),
    remoteAddress: (nodeName) => addresses.get(nodeName) ?? null,
    stats: () => ({ connected: socketsByNode.size, ...counters }),
    async close() {
      clearInterval(sweeper);
      for (const ws of wss.clients) ws.close(1001, "server shutting down");
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}

/** `::ffff:10.0.0.5` → `10.0.0.5`; loopback (an agent on this machine) → 127.0.0.1. */
function hostAddress(raw: string | undefined): string {
  if (!raw || raw === "::1") return "127.0.0.1";
  return raw.startsWith("::ffff:") ? raw.slice(7) : raw;
}
