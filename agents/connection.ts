/**
 * The agent's side of the hub protocol: dials out, says hello, streams samples. While the server
 * is unreachable it keeps a bounded backlog (newest kept) and redials with capped, jittered
 * backoff; a refused token or protocol is reported with the server's own reason, then retried.
 * With several servers (`--server URL1,URL2,…`) it moves to the next when its server goes away
 * (./server-rotation.ts). On each new connection it also sends again the samples of the last few
 * seconds: a server that died had not yet written them, and the server taking over stores them
 * (a sample stored twice is the same row).
 *
 * Identity: the node presents its own credential for the server's control plane (kept in the
 * credential store), or its token to enroll; see ./identity/agent-identity.ts.
 */
import type { IncomingMessage } from "node:http";
import WebSocket, { type ClientOptions } from "ws";
import {
  AGENT_HEADERS, CLOSE_CODES, MAX_MESSAGE_BYTES, MAX_SAMPLES_PER_MESSAGE, PROTOCOL_VERSION, serverMessageSchema,
  type AgentMessage, type NodeFacts, type TelemetrySample,
} from "../protocol/agent-wire";
import { clampSnapshot } from "../protocol/telemetry";
import type { Logger } from "../lib/logger";
import { agentIdentity, type AgentIdentity } from "./identity/agent-identity";
import { ServerRotation } from "./server-rotation";
import type { CredentialStore } from "./identity/credential-store";
import { explainUntrustedServer, pinnedConnection, TlsPinError, type Fingerprint } from "../lib/tls-pin";

export const BACKLOG_LIMIT = 300;
/** Samples already sent that are sent again on the next connection: longer than a server holds them before writing. */
export const REPLAY_MS = 10_000;
/** A backlog batch stays well under the server's message limit. */
const MAX_BATCH_BYTES = MAX_MESSAGE_BYTES / 2;
const PING_EVERY_MS = 5000;

export interface ConnectionOptions {
  /** The servers of one control plane; the first that answers is used, the next when it goes away. */
  servers: string[];
  /** The enrollment token or a join token; null when the node only has its stored credentials. */
  token: string | null;
  /** Where the node's credentials are kept; null: present the token every time (nothing saved). */
  credentials: CredentialStore | null;
  name: string;
  agentVersion: string;
  facts: () => Promise<NodeFacts>;
  log: Logger;
  /** The server certificate's SHA-256 (`--fingerprint`): wss:// only to a server presenting exactly it. */
  fingerprint?: Fingerprint;
  /** Backoff bounds, overridable for tests. */
  minBackoffMs?: number;
  maxBackoffMs?: number;
}

/** Handles one server request; throw an AgentRequestError to answer with a code the server maps. */
export type RequestHandler = (action: string, payload: unknown) => Promise<unknown>;

export class AgentRequestError extends Error {
  constructor(readonly code: string, message: string) {
    super(message);
  }
}

export interface AgentConnection {
  send(sample: TelemetrySample): void;
  /** Reports something to the server; dropped while disconnected (state is re-announced on connect). */
  sendEvent(event: string, payload: unknown): void;
  onRequest(handler: RequestHandler): void;
  /** Called after each successful (re)connection, e.g. to re-announce state. */
  onConnected(listener: () => void): void;
  isConnected(): boolean;
  backlogSize(): number;
  stop(): void;
}

/** `http(s)://host:port[/]` or `ws(s)://…` → the hub's WebSocket URL. */
export function hubUrl(serverUrl: string): string {
  const url = new URL(serverUrl);
  if (url.protocol === "http:") url.protocol = "ws:";
  else if (url.protocol === "https:") url.protocol = "wss:";
  else if (url.protocol !== "ws:" && url.protocol !== "wss:") {
    throw new Error(`--server must be an http(s):// or ws(s):// URL, got ${serverUrl}`);
  }
  if (url.pathname === "/" || url.pathname === "") url.pathname = "/ws/agent";
  return url.toString();
}

interface Server {
  serverUrl: string;
  url: string;
  tlsOptions: Pick<ClientOptions, "createConnection">;
  identity: AgentIdentity;
}

export function connectAgent(opts: ConnectionOptions): AgentConnection {
  const servers = new Map<string, Server>(opts.servers.map((serverUrl) => {
    const url = hubUrl(serverUrl);
    if (opts.fingerprint && !url.startsWith("wss:")) {
      throw new Error(`--fingerprint pins a TLS certificate, but ${serverUrl} is not https://: use the server's https:// address`);
    }
    // ws hands its options to https.request, whose createConnection may answer through a callback.
    const tlsOptions = opts.fingerprint ? { createConnection: pinnedConnection(opts.fingerprint, serverUrl) as unknown as ClientOptions["createConnection"] } : {};
    const identity = agentIdentity({ serverUrl, name: opts.name, token: opts.token, credentials: opts.credentials, log: opts.log });
    return [serverUrl, { serverUrl, url, tlsOptions, identity }];
  }));
  const maxBackoff = opts.maxBackoffMs ?? 30_000;
  const rotation = new ServerRotation(opts.servers, { minBackoffMs: opts.minBackoffMs ?? 1000, maxBackoffMs: maxBackoff });
  const backlog: TelemetrySample[] = [];
  /** Samples sent in the last REPLAY_MS, oldest first. */
  const recent: TelemetrySample[] = [];
  let ws: WebSocket | null = null;
  let welcomed = false;
  let stopped = false;
  let timer: NodeJS.Timeout | null = null;
  let pingTimer: NodeJS.Timeout | null = null;
  let awaitingPong = false;
  let requestHandler: RequestHandler | null = null;
  const connectedListeners: Array<() => void> = [];
  let redialNow = false;
  let lastNoneReason = "";
  /** Dial errors since the last welcome: the log says so at first, then now and then. */
  let dialErrors = 0;
  let server = servers.get(rotation.current())!;

  const answer = async (id: string, action: string, payload: unknown) => {
    try {
      if (!requestHandler) throw new AgentRequestError("bad_request", `this agent cannot do '${action}'`);
      const result = await requestHandler(action, payload);
      write({ type: "response", v: PROTOCOL_VERSION, id, ok: true, result });
    } catch (err) {
      const code = err instanceof AgentRequestError ? err.code : "unavailable";
      write({ type: "response", v: PROTOCOL_VERSION, id, ok: false, error: { code, message: (err as Error).message } });
    }
  };

  /** Sends one message; one over the server's limit would close the socket, so it is dropped instead. */
  const write = (msg: AgentMessage | { type: "event"; v: number; event: string; payload: unknown }) => {
    const text = JSON.stringify(msg);
    if (Buffer.byteLength(text) > MAX_MESSAGE_BYTES) {
      opts.log.warn({ type: msg.type, bytes: Buffer.byteLength(text) }, "dropped a message larger than the server accepts");
      return;
    }
    ws?.send(text);
  };

  const remember = (sample: TelemetrySample) => {
    recent.push(sample);
    const cutoff = sample.ts - REPLAY_MS;
    while (recent.length > 0 && recent[0]!.ts < cutoff) recent.shift();
  };

  const flushBacklog = () => {
    // What was sent lately goes again, ahead of what was never sent (older first).
    const unsent = backlog.splice(0);
    backlog.push(...recent.splice(0), ...unsent);
    for (const s of backlog) remember(s);
    while (backlog.length > 0 && welcomed) {
      let bytes = 0;
      let n = 0;
      while (n < backlog.length && n < MAX_SAMPLES_PER_MESSAGE) {
        bytes += JSON.stringify(backlog[n]).length;
        if (n > 0 && bytes > MAX_BATCH_BYTES) break;
        n += 1;
      }
      write({ type: "telemetry", v: PROTOCOL_VERSION, samples: backlog.splice(0, n), sentAt: Date.now() });
    }
  };

  const scheduleReconnect = () => {
    if (stopped || timer) return;
    let delay = 0;
    if (redialNow) redialNow = false; // same server, at once: it just named its control plane
    else {
      const next = rotation.next();
      delay = next.delayMs;
      server = servers.get(next.url)!;
    }
    timer = setTimeout(() => {
      timer = null;
      dial();
    }, delay);
  };

  const dial = () => {
    if (stopped) return;
    welcomed = false;
    awaitingPong = false;
    const { identity, serverUrl } = server;
    const presenting = identity.next();
    if ("none" in presenting) {
      if (presenting.none !== lastNoneReason) opts.log.error(presenting.none);
      lastNoneReason = presenting.none;
      // Nothing to present to this server: ask again later, slowly.
      rotation.slowDown();
      scheduleReconnect();
      return;
    }
    lastNoneReason = "";
    const socket = new WebSocket(server.url, {
      headers: {
        ...presenting.headers,
        [AGENT_HEADERS.node]: opts.name,
        [AGENT_HEADERS.protocol]: String(PROTOCOL_VERSION),
        [AGENT_HEADERS.agentVersion]: opts.agentVersion,
      },
      handshakeTimeout: 10_000,
      maxPayload: MAX_MESSAGE_BYTES * 8,
      ...server.tlsOptions,
    });
    ws = socket;

    socket.on("unexpected-response", (_req, res: IncomingMessage) => {
      let body = "";
      res.on("data", (chunk) => (body += chunk));
      res.on("end", () => {
        const refusal = identity.refused(res.statusCode, body);
        redialNow = refusal.redialNow;
        if (refusal.line) opts.log.error({ status: res.statusCode, server: serverUrl }, refusal.line);
        socket.terminate();
      });
    });

    socket.on("open", async () => {
      try {
        write({ type: "hello", v: PROTOCOL_VERSION, agentVersion: opts.agentVersion, node: opts.name, facts: await opts.facts() });
      } catch (err) {
        opts.log.error({ err }, "could not send hello");
        socket.terminate();
      }
    });

    socket.on("message", (data) => {
      const parsed = serverMessageSchema.safeParse(safeJson(data.toString()));
      if (!parsed.success) return opts.log.warn("ignored a malformed message from the server");
      if (parsed.data.type === "welcome") {
        if (identity.welcomed(parsed.data.controlPlane, parsed.data.credential)) write({ type: "credential-saved", v: PROTOCOL_VERSION });
        welcomed = true;
        rotation.welcomed();
        dialErrors = 0;
        opts.log.info({ server: serverUrl, nodeId: parsed.data.nodeId, backlog: backlog.length }, "connected");
        flushBacklog();
        for (const l of connectedListeners) l();
      } else if (parsed.data.type === "request") {
        void answer(parsed.data.id, parsed.data.action, parsed.data.payload);
      }
    });

    socket.on("pong", () => (awaitingPong = false));

    socket.on("close", (code, reason) => {
      if (ws === socket) ws = null;
      const wasWelcomed = welcomed;
      welcomed = false;
      if (stopped) return;
      if (code === CLOSE_CODES.replaced) {
        // Two live agents with one name would keep replacing each other: yield for the longest wait.
        rotation.slowDown();
        opts.log.error(`another agent connected with the same --name (${opts.name}); this one retries in ${Math.round(maxBackoff / 1000)} s. Give each box its own --name.`);
      } else if (code === CLOSE_CODES.revoked || code === CLOSE_CODES.refused || code === CLOSE_CODES.oneNodePerSocket) {
        identity.closed(code);
        opts.log.error({ code, server: serverUrl }, `server cut the agent off: ${reason.toString() || "no reason given"}`);
      }
      else if (wasWelcomed) opts.log.warn({ code, reason: reason.toString(), server: serverUrl }, opts.servers.length > 1 ? "disconnected from server; moving to the next" : "disconnected from server; reconnecting");
      scheduleReconnect();
    });

    socket.on("error", (err) => {
      const untrusted = err instanceof TlsPinError ? err.message : explainUntrustedServer(err, serverUrl, "--fingerprint sha256:…");
      if (untrusted) return opts.log.error({ server: serverUrl }, untrusted);
      if (dialErrors < 3 * opts.servers.length || dialErrors % 10 === 0) opts.log.warn({ err: err.message, server: serverUrl }, "cannot reach server");
      dialErrors += 1;
    });
  };

  // A server that vanished without closing the socket (cable pulled) is noticed by a missing pong.
  pingTimer = setInterval(() => {
    if (!ws || ws.readyState !== WebSocket.OPEN) return;
    if (awaitingPong) {
      opts.log.warn("server stopped answering pings; reconnecting");
      ws.terminate();
      return;
    }
    awaitingPong = true;
    ws.ping();
  }, PING_EVERY_MS);
  pingTimer.unref();

  dial();

  return {
    send(sample) {
      const bounded = { ts: sample.ts, snapshot: clampSnapshot(sample.snapshot) };
      if (welcomed && ws?.readyState === WebSocket.OPEN) {
        write({ type: "telemetry", v: PROTOCOL_VERSION, samples: [bounded], sentAt: Date.now() });
        remember(bounded);
        return;
      }
      backlog.push(bounded);
      if (backlog.length > BACKLOG_LIMIT) backlog.splice(0, backlog.length - BACKLOG_LIMIT);
    },
    sendEvent(event, payload) {
      if (welcomed && ws?.readyState === WebSocket.OPEN) write({ type: "event", v: PROTOCOL_VERSION, event, payload });
    },
    onRequest(handler) {
      requestHandler = handler;
    },
    onConnected(listener) {
      connectedListeners.push(listener);
    },
    isConnected: () => welcomed,
    backlogSize: () => backlog.length,
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      if (pingTimer) clearInterval(pingTimer);
      ws?.close(1000, "agent stopping");
    },
  };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
