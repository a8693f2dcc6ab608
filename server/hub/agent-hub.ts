/**
 * The agent hub: agents dial out to `/ws/agent`. Identity is settled before the upgrade (a node's
 * own credential, or a token to enroll a name nobody holds: server/core/identity) and refused
 * with a JSON reason the agent prints. After that a socket speaks for one node only, and nothing
 * it says reaches another node: answers count only from the socket that was asked (request ids
 * are random), events and telemetry land on its own node, and every message is size-bounded and
 * checked (large telemetry in time slices, so one message cannot stall the server).
 * A malformed message is counted and dropped; the connection survives it.
 */
import { randomBytes } from "node:crypto";
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { WebSocketServer, type WebSocket } from "ws";
import type { z } from "zod";
import {
  AGENT_HEADERS, CLOSE_CODES, MAX_MESSAGE_BYTES, PROTOCOL_VERSION, agentEnvelopeSchema, telemetrySampleSchema,
  type ServerMessage, type TelemetrySample,
} from "../../protocol/agent-wire";
import { REFUSAL_CODES } from "../../protocol/agent-identity";
import { bearer } from "../http/credentials";
import { SKEW_TOLERANCE_MS, correctClockSkew } from "../core/clock-skew";
import { AgentUnansweredError, ServiceError, type ErrorCode } from "../core/errors";
import type { Fleet } from "../core/fleet";
import type { History } from "../core/history";
import type { Admission, Refusal } from "../core/identity/admission";
import type { Identity } from "../core/identity/identity";
import { createLogger } from "../../lib/logger";
import { refuseUpgrade } from "./upgrade-reply";
import { timeSlices } from "./time-slices";
import { plainAddress, type ClientAddress } from "../http/forwarded";

const log = createLogger("agent-hub");
const HELLO_TIMEOUT_MS = 10_000;
const SAMPLE_INTERVAL_MS = 1000;
/** Longest stretch of work on one message before other sockets get a turn. */
const SLICE_MS = 8;
/** Messages waiting per socket before it is paused (TCP backpressure instead of a growing queue). */
const MAX_QUEUED = 32;
/** A socket told to close that does not finish the closing handshake is cut after this. */
const CLOSE_GRACE_MS = 500;

export interface AgentHubStats {
  connected: number;
  messages: number;
  malformed: number;
  refused: number;
  /** Answers sent by a socket other than the one asked (ignored). */
  foreignAnswers?: number;
  /** Messages over MAX_MESSAGE_BYTES (their socket is closed). */
  oversized?: number;
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
  /**
   * Cuts a node off (revoke its credential first): closes its socket, forgets its address (its
   * deployments stop being routable) and resolves once the node is offline.
   */
  cutOff(nodeName: string, reason: string): Promise<void>;
  /**
   * Hears this server taking a node's socket (with the agent's address, once it is welcomed) and
   * losing it (null): several servers record who holds which node (server/cluster/presence.ts).
   */
  onPresence(listener: (nodeName: string, address: string | null) => void): () => void;
  /** Closes a node's socket because its agent connected to another server (it is "replaced" there). */
  replace(nodeName: string): void;
  stats(): AgentHubStats;
  close(): Promise<void>;
}

type Admitted = Extract<Admission, { ok: true }>;
type Envelope = z.infer<typeof agentEnvelopeSchema>;
type Hello = Extract<Envelope, { type: "hello" }>;
type Answer = Extract<Envelope, { type: "response" }>;

interface Conn {
  ws: WebSocket;
  admission: Admitted;
  address: string;
  nodeId: string | null;
  nodeName: string | null;
  credentialId: string | null;
  /** `credentialId` was issued on this connection and its agent has not yet confirmed saving it. */
  unconfirmed: boolean;
  /** Messages of one socket are handled in order. */
  queue: Promise<void>;
  queued: number;
  closed: boolean;
  /** Set once cut off: whatever it still sends is ignored. */
  cut: boolean;
}

interface Pending {
  resolve(v: unknown): void;
  reject(e: Error): void;
  timer: NodeJS.Timeout;
  conn: Conn;
}

export function createAgentHub(deps: {
  identity: Identity;
  fleet: Fleet;
  history: History;
  offlineAfterMs: number;
  /** How often connected nodes' credentials are checked again (a revocation made on another server). */
  revalidateEveryMs?: number;
  /** The agent's address behind a trusted reverse proxy (server/http/forwarded.ts); default: the peer's. */
  clientAddress?: ClientAddress;
}): AgentHub {
  const { identity, fleet, history } = deps;
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES });
  const conns = new Map<string, Conn>();
  const counters = { messages: 0, malformed: 0, refused: 0, foreignAnswers: 0, oversized: 0 };
  const pending = new Map<string, Pending>();
  const eventListeners = new Set<AgentEventListener>();
  const presenceListeners = new Set<(nodeName: string, address: string | null) => void>();
  const announce = (name: string, address: string | null) => {
    for (const l of presenceListeners) {
      try {
        l(name, address);
      } catch (err) {
        log.error({ err }, "a presence listener failed");
      }
    }
  };
  const addresses = new Map<string, string>();
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

  /** Closes with a code the agent understands (ignoring what it still sends); a peer that does not finish the handshake is cut. */
  const shut = (conn: Conn, code: number, reason: string) => {
    conn.cut = true;
    conn.ws.close(code, Buffer.from(reason).subarray(0, 120).toString());
    setTimeout(() => conn.ws.terminate(), CLOSE_GRACE_MS).unref();
  };

  const recordRefusal = (refusal: Refusal, node: string | null, address: string) => {
    counters.refused += 1;
    void identity.recordRefusal(refusal, node, address).catch((err) => log.error({ err }, "recording a refused agent failed"));
  };

  /** Identity refused after the upgrade: an agent that named itself only in its hello. */
  const refuseOnSocket = (conn: Conn, refusal: Refusal, name: string) => {
    recordRefusal(refusal, name, conn.address);
    shut(conn, CLOSE_CODES.refused, refusal.message);
  };

  async function hello(conn: Conn, msg: Hello) {
    if (conn.nodeName) {
      noteMalformed(conn.nodeName, "a second hello");
      return shut(conn, CLOSE_CODES.oneNodePerSocket, `one node per connection: this one is ${conn.nodeName}`);
    }
    const { admission } = conn;
    const bound = admission.node;
    if (bound !== null && msg.node !== bound) {
      const message = `this connection was admitted as ${bound}, not ${msg.node}`;
      return refuseOnSocket(conn, { code: REFUSAL_CODES.credentialMismatch, message, status: 403, controlPlane: identity.controlPlane, record: true }, msg.node);
    }
    let credential: string | undefined;
    if (admission.kind === "credential") {
      conn.credentialId = admission.credentialId;
      // Presented, so saved: where its agent's "saved" went down with the connection it was issued on
      // (here or on another server), that connection's close must not void it. Before the replace below.
      if (!admission.confirmed) await identity.confirm(admission.credentialId);
    } else {
      const issued = await identity.enroll(admission, msg.node);
      if ("code" in issued) return refuseOnSocket(conn, issued, msg.node);
      conn.credentialId = issued.credentialId;
      // Voided when the socket closes before the agent says it saved it (see `onConnection`).
      conn.unconfirmed = true;
      credential = issued.credential;
      log.info({ node: msg.node, via: admission.via }, "node enrolled");
    }
    if (conn.closed) return;
    const previous = conns.get(msg.node);
    if (previous && previous !== conn) previous.ws.close(CLOSE_CODES.replaced, "replaced by a newer connection");
    // Claim the name before awaiting, so the replaced socket's close cannot mark it offline.
    conns.set(msg.node, conn);
    conn.nodeName = msg.node;
    conn.nodeId = await fleet.connect({ name: msg.node, agentVersion: msg.agentVersion, facts: msg.facts });
    addresses.set(msg.node, conn.address);
    // Its close handler found the name claimed but no id yet: it marks the node offline after this.
    if (conn.closed) return;
    send(conn.ws, {
      type: "welcome", v: PROTOCOL_VERSION, nodeId: conn.nodeId, sampleIntervalMs: SAMPLE_INTERVAL_MS,
      controlPlane: identity.controlPlane, ...(credential ? { credential } : {}),
    });
    announce(msg.node, conn.address);
    log.info({ node: msg.node, agentVersion: msg.agentVersion }, "agent connected");
  }

  async function telemetry(conn: Conn, raw: unknown[], sentAt: number | undefined) {
    if (!conn.nodeId) return noteMalformed(conn.nodeName, "telemetry before hello");
    const slices = timeSlices(SLICE_MS);
    const samples: TelemetrySample[] = [];
    for (const item of raw) {
      const parsed = telemetrySampleSchema.safeParse(item);
      if (!parsed.success) return noteMalformed(conn.nodeName, parsed.error.message);
      samples.push(parsed.data);
      await slices.pause();
    }
    if (conn.cut) return;
    const now = Date.now();
    // Corrected, an honest sample is never later than now (give or take the tolerance). A later one
    // is a node lying (a `sentAt` far from its samples, or samples out of order): it would stand in
    // its charts past "now" and outlive retention, which prunes by age.
    const corrected = correctClockSkew(samples, now, SKEW_TOLERANCE_MS, sentAt).filter((s) => s.ts <= now + SKEW_TOLERANCE_MS);
    if (corrected.length < samples.length) noteMalformed(conn.nodeName, `${samples.length - corrected.length} samples dated in the future`);
    if (corrected.length === 0) return;
    for (let i = 0; i < corrected.length; i += 20) {
      history.record(conn.nodeId, corrected.slice(i, i + 20));
      await slices.pause();
    }
    await fleet.ingest(conn.nodeId, corrected);
  }

  function answer(conn: Conn, msg: Answer) {
    const waiting = pending.get(msg.id);
    if (!waiting) return; // answered after its timeout, or never asked
    if (waiting.conn !== conn) {
      counters.foreignAnswers += 1;
      noteMalformed(conn.nodeName, `an answer to a request sent to ${waiting.conn.nodeName}`);
      return;
    }
    pending.delete(msg.id);
    clearTimeout(waiting.timer);
    if (msg.ok) return waiting.resolve(msg.result);
    const code = ERROR_CODES.has(msg.error?.code as ErrorCode) ? (msg.error!.code as ErrorCode) : "bad_request";
    waiting.reject(new ServiceError(code, msg.error?.message ?? `${conn.nodeName} could not do that`));
  }

  async function voidUnconfirmed(conn: Conn) {
    const { admission, credentialId } = conn;
    if (!conn.unconfirmed || admission.kind !== "enroll" || !credentialId) return;
    conn.unconfirmed = false;
    try {
      // Confirmed meanwhile: presented on another connection (here or on another server) after this one's "saved" was lost.
      if (!(await identity.voidEnrollment(credentialId, admission.joinTokenId))) return;
      log.info({ node: conn.nodeName }, "enrollment undone: the agent left before it confirmed saving its credential");
      // A connection admitted with it while it was being voided is cut by the revalidator below.
    } catch (err) {
      log.error({ err, node: conn.nodeName }, "undoing an unconfirmed enrollment failed");
    }
  }

  function onConnection(ws: WebSocket, admission: Admitted, address: string) {
    const conn: Conn = {
      ws, admission, address, nodeId: null, nodeName: null, credentialId: null, unconfirmed: false, queue: Promise.resolve(), queued: 0, closed: false, cut: false,
    };
    const helloTimer = setTimeout(() => {
      if (!conn.nodeId) shut(conn, CLOSE_CODES.protocolMismatch, "no hello");
    }, HELLO_TIMEOUT_MS);

    ws.on("message", (data, isBinary) => {
      counters.messages += 1;
      if (conn.cut) return;
      let raw: unknown;
      try {
        raw = JSON.parse(isBinary ? Buffer.from(data as Buffer).toString("utf8") : data.toString());
      } catch {
        return noteMalformed(conn.nodeName, "not JSON");
      }
      const parsed = agentEnvelopeSchema.safeParse(raw);
      if (!parsed.success) return noteMalformed(conn.nodeName, parsed.error.message);
      const msg = parsed.data;
      if (++conn.queued > MAX_QUEUED) ws.pause();
      conn.queue = conn.queue.then(async () => {
        if (conn.cut) return;
        if (msg.type === "hello") {
          await hello(conn, msg);
          if (conn.nodeId) clearTimeout(helloTimer);
        } else if (msg.type === "telemetry") {
          await telemetry(conn, msg.samples, msg.sentAt);
        } else if (msg.type === "response") {
          answer(conn, msg);
        } else if (msg.type === "credential-saved") {
          if (!conn.unconfirmed) return noteMalformed(conn.nodeName, "credential-saved with no credential issued");
          conn.unconfirmed = false;
          if (conn.credentialId) await identity.confirm(conn.credentialId);
          log.info({ node: conn.nodeName }, "node's credential saved on the box: enrollment complete");
        } else if (!conn.nodeId || !conn.nodeName) {
          noteMalformed(conn.nodeName, "event before hello");
        } else {
          for (const l of eventListeners) {
            try {
              l({ id: conn.nodeId, name: conn.nodeName }, msg.event, msg.payload);
            } catch (err) {
              log.error({ err, event: msg.event }, "agent event listener failed");
            }
          }
        }
      }).catch((err) => log.error({ err, node: conn.nodeName }, "handling agent message failed"))
        .finally(() => {
          if (--conn.queued < MAX_QUEUED / 4 && ws.isPaused) ws.resume();
        });
    });

    ws.on("close", (code) => {
      conn.closed = true;
      clearTimeout(helloTimer);
      for (const [id, waiting] of pending) {
        if (waiting.conn !== conn) continue;
        pending.delete(id);
        clearTimeout(waiting.timer);
        waiting.reject(new AgentUnansweredError(`node ${conn.nodeName} disconnected before it answered`));
      }
      const name = conn.nodeName;
      if (name && conns.get(name) === conn) {
        conns.delete(name);
        announce(name, null);
        log.info({ node: name, code }, "agent disconnected");
        // The queue may still be registering its hello: the node goes offline after that.
        void conn.queue.then(() => (conn.nodeId ? fleet.disconnect(conn.nodeId) : undefined));
      }
      // Gone before its agent saved the credential issued to it (never welcomed, or killed before it
      // wrote the file): no agent holds it, so the name must not stay locked to it.
      void conn.queue.then(() => voidUnconfirmed(conn));
    });
    ws.on("error", (err: Error & { code?: string }) => {
      if (err.code === "WS_ERR_UNSUPPORTED_MESSAGE_LENGTH") counters.oversized += 1;
      log.warn({ err: err.message, node: conn.nodeName }, "agent socket error");
    });
  }

  const cutOff = async (name: string, reason: string) => {
    addresses.delete(name);
    const conn = conns.get(name);
    if (!conn) return;
    conn.cut = true;
    conns.delete(name);
    announce(name, null);
    shut(conn, CLOSE_CODES.revoked, reason);
    await conn.queue;
    if (conn.nodeId) await fleet.disconnect(conn.nodeId);
    log.warn({ node: name, reason }, "agent cut off");
  };

  // Killed agents close their sockets at once; a silent one (network gone, host frozen) is cut here.
  const sweeper = setInterval(() => {
    for (const id of fleet.sweep(Date.now(), deps.offlineAfterMs)) {
      const node = fleet.list().find((n) => n.id === id);
      const conn = node ? conns.get(node.name) : undefined;
      if (conn) conn.ws.terminate();
      else void fleet.disconnect(id);
    }
  }, 1000);
  sweeper.unref();

  // A credential revoked on another server of this control plane cuts its socket here too.
  const revalidator = setInterval(() => {
    const byCredential = new Map([...conns].filter(([, c]) => c.credentialId).map(([name, c]) => [c.credentialId!, name]));
    if (byCredential.size === 0) return;
    void identity.liveIds([...byCredential.keys()]).then(async (live) => {
      for (const [id, name] of byCredential) if (!live.has(id)) await cutOff(name, "this node's credential was revoked");
    }).catch((err) => log.error({ err }, "re-checking agent credentials failed"));
  }, deps.revalidateEveryMs ?? 10_000);
  revalidator.unref();

  return {
    handleUpgrade(req, socket, head) {
      const version = Number(req.headers[AGENT_HEADERS.protocol] ?? PROTOCOL_VERSION);
      if (version !== PROTOCOL_VERSION) {
        counters.refused += 1;
        return refuseUpgrade(socket, 426, REFUSAL_CODES.protocolMismatch, `this server speaks agent protocol ${PROTOCOL_VERSION}, the agent speaks ${String(version).slice(0, 20)}: update the agent`);
      }
      const node = oneHeader(req, AGENT_HEADERS.node);
      const address = (deps.clientAddress ?? ((peer) => plainAddress(peer)))(req.socket.remoteAddress, req.headers["x-forwarded-for"]);
      identity.admit(bearer(oneHeader(req, AGENT_HEADERS.token)), node, oneHeader(req, AGENT_HEADERS.controlPlane)).then((admission) => {
        if (!admission.ok) {
          const { refusal } = admission;
          refuseUpgrade(socket, refusal.status, refusal.code, refusal.message, { controlPlane: refusal.controlPlane });
          return recordRefusal(refusal, node, address);
        }
        if (socket.destroyed) return;
        wss.handleUpgrade(req, socket, head, (ws) => onConnection(ws, admission, address));
      }).catch((err) => {
        log.error({ err }, "admitting an agent failed");
        refuseUpgrade(socket, 503, "unavailable", "the server could not check this agent's identity: try again");
      });
    },
    request(nodeName, action, payload, timeoutMs = 30_000) {
      const conn = conns.get(nodeName);
      if (!conn || conn.ws.readyState !== conn.ws.OPEN) {
        return Promise.reject(new ServiceError("unavailable", `node ${nodeName} is offline: start its agent (switchyard-agent) and try again`));
      }
      // Unguessable, and bound to the socket asked: no other socket can answer it.
      const id = randomBytes(16).toString("base64url");
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          pending.delete(id);
          reject(new AgentUnansweredError(`node ${nodeName} did not answer '${action}' within ${Math.round(timeoutMs / 1000)} s`));
        }, timeoutMs);
        pending.set(id, { resolve, reject, timer, conn });
        send(conn.ws, { type: "request", v: PROTOCOL_VERSION, id, action, payload });
      });
    },
    onEvent(listener) {
      eventListeners.add(listener);
      return () => eventListeners.delete(listener);
    },
    isConnected: (nodeName) => conns.has(nodeName),
    remoteAddress: (nodeName) => addresses.get(nodeName) ?? null,
    cutOff,
    onPresence(listener) {
      presenceListeners.add(listener);
      return () => presenceListeners.delete(listener);
    },
    replace(nodeName) {
      const conn = conns.get(nodeName);
      if (conn) conn.ws.close(CLOSE_CODES.replaced, "replaced by a newer connection to another server");
    },
    stats: () => ({ connected: conns.size, ...counters }),
    async close() {
      clearInterval(sweeper);
      clearInterval(revalidator);
      for (const ws of wss.clients) ws.close(1001, "server shutting down");
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}

/** A header's value, or null when absent, repeated or longer than any honest value. */
function oneHeader(req: IncomingMessage, name: string): string | null {
  const v = req.headers[name];
  return typeof v === "string" && v.length <= 1024 ? v : null;
}
