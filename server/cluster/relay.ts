/**
 * Requests to agents connected to another server of the control plane. The asking server sends the
 * request on the bus to the node's holder; the holder asks its agent through its own hub (so the
 * hub's rules hold: an answer counts only from the socket asked) and sends the answer back. Events
 * that belong to a stream opened this way (live log lines) are sent to the server that opened it,
 * and only while they come from the node it was opened on: no agent reaches another node through
 * the relay, and no server hears another's streams.
 *
 * A request whose holder goes away (its server died, the agent moved) is answered at once as
 * unanswered, like a dropped socket on one server: the agent may still have carried it out.
 */
import { randomBytes } from "node:crypto";
import { z } from "zod";
import type { Logger } from "../../lib/logger";
import { AgentUnansweredError, ServiceError, type ErrorCode } from "../core/errors";
import type { AgentEventListener } from "../hub/agent-hub";
import type { Bus } from "./bus";
import type { Presence } from "./presence";

const ERROR_CODES = ["bad_request", "unauthorized", "forbidden", "not_found", "conflict", "payload_too_large", "unavailable"] as const satisfies readonly ErrorCode[];
/** The longest a relayed request may wait for its agent (deploys wait 60 s). */
const MAX_TIMEOUT_MS = 300_000;
/** Time for the holder's own timeout answer to come back before the asker gives up by itself. */
const ANSWER_GRACE_MS = 3000;
/** Streams one server may have open through others at once (each is a follower of a log). */
const MAX_STREAMS = 1000;

const nodeName = z.string().min(1).max(128);
const requestId = z.string().regex(/^[A-Za-z0-9_-]{16,64}$/);
const requestSchema = z.object({
  id: requestId,
  node: nodeName,
  action: z.string().regex(/^[a-z][a-z0-9._-]{0,63}$/),
  payload: z.unknown(),
  timeoutMs: z.number().int().positive().max(MAX_TIMEOUT_MS),
});
const answerSchema = z.object({
  id: requestId,
  ok: z.boolean(),
  result: z.unknown().optional(),
  error: z.object({ code: z.enum(ERROR_CODES), message: z.string().max(4000), unanswered: z.boolean() }).optional(),
});
const eventSchema = z.object({ node: nodeName, event: z.string().max(64), payload: z.unknown() });

/** What the relay asks of this server's own hub: its local sockets only. */
export interface LocalAgents {
  request(node: string, action: string, payload: unknown, timeoutMs?: number): Promise<unknown>;
  isConnected(node: string): boolean;
  onEvent(listener: AgentEventListener): () => void;
}

/** Actions that open and close a stream of events to the asker, and how its events are told apart. */
export interface StreamRules {
  open: string;
  close: string;
  events: readonly string[];
  /** The one of `events` that ends a stream. */
  endEvent: string;
  /** The stream an action's payload or an event's payload names. */
  idOf(payload: unknown): string | null;
  /** The payload of an end event made here (the stream's node went away). */
  endPayload(streamId: string, reason: string): unknown;
}

export interface Relay {
  request(holder: string, node: string, action: string, payload: unknown, timeoutMs: number): Promise<unknown>;
  /** Events of streams this server opened through another server. */
  onEvent(listener: AgentEventListener): () => void;
  /** This server's socket for `node` closed: streams others follow through it end. */
  localGone(node: string): void;
  stats(): { pending: number; streamsIn: number; streamsOut: number; dropped: number };
  close(): void;
}

interface Pending {
  holder: string;
  node: string;
  resolve(v: unknown): void;
  reject(e: Error): void;
  timer: NodeJS.Timeout;
}

export function createRelay(deps: { bus: Bus; presence: Presence; local: LocalAgents; streams: StreamRules; nodeId(name: string): string | null; log: Logger }): Relay {
  const { bus, presence, local, streams, log } = deps;
  const pending = new Map<string, Pending>();
  /** Streams this server opened through another: stream id → the holder and node it must come from. */
  const opened = new Map<string, { holder: string; node: string }>();
  /** Streams other servers opened through this one: stream id → who asked, and the node. */
  const serving = new Map<string, { asker: string; node: string }>();
  const listeners = new Set<AgentEventListener>();
  let dropped = 0;

  const emit = (node: string, event: string, payload: unknown) => {
    const id = deps.nodeId(node);
    if (!id) return;
    for (const l of listeners) {
      try {
        l({ id, name: node }, event, payload);
      } catch (err) {
        log.error({ err, event }, "a relayed event listener failed");
      }
    }
  };

  const fail = (id: string, err: Error) => {
    const p = pending.get(id);
    if (!p) return;
    pending.delete(id);
    clearTimeout(p.timer);
    p.reject(err);
  };

  const endOpened = (pred: (s: { holder: string; node: string }) => boolean, reason: string) => {
    for (const [streamId, s] of opened) {
      if (!pred(s)) continue;
      opened.delete(streamId);
      emit(s.node, streams.endEvent, streams.endPayload(streamId, reason));
    }
  };

  // The asker's side: answers, and events of the streams it opened.
  const offAnswer = bus.subscribe("relay.res", answerSchema, (a, from) => {
    const p = pending.get(a.id);
    if (!p || p.holder !== from) return void (dropped += 1);
    pending.delete(a.id);
    clearTimeout(p.timer);
    if (a.ok) return p.resolve(a.result);
    const e = a.error ?? { code: "unavailable" as const, message: `node ${p.node} could not do that`, unanswered: false };
    p.reject(e.unanswered ? new AgentUnansweredError(e.message) : new ServiceError(e.code, e.message));
  });
  const offEvent = bus.subscribe("relay.evt", eventSchema, (ev, from) => {
    const streamId = streams.idOf(ev.payload);
    const s = streamId ? opened.get(streamId) : undefined;
    if (!s || s.holder !== from || s.node !== ev.node || !streams.events.includes(ev.event)) return void (dropped += 1);
    if (ev.event === streams.endEvent) opened.delete(streamId!);
    emit(ev.node, ev.event, ev.payload);
  });
  const offMoved = presence.onChange((node, holder) => {
    for (const [id, p] of pending) {
      if (p.node === node && p.holder !== holder) fail(id, new AgentUnansweredError(`node ${node} left its server before it answered`));
    }
    endOpened((s) => s.node === node && s.holder !== holder, `node ${node} disconnected`);
  });
  const offDown = bus.onDown(() => {
    for (const [id, p] of pending) fail(id, new AgentUnansweredError(`the request to ${p.node} went through the database, which stopped answering`));
    endOpened(() => true, "the connection between servers dropped");
  });

  // The holder's side: requests for its agents, and events of the streams it serves.
  const answer = (to: string, body: z.infer<typeof answerSchema>) =>
    bus.publish("relay.res", body, to).catch(async (err: Error) => {
      // Too large for the bus, most likely: the asker still deserves an answer.
      log.warn({ err: err.message }, "could not send a relayed answer");
      await bus.publish("relay.res", { id: body.id, ok: false, error: { code: "unavailable", message: `the answer could not be relayed: ${err.message}`.slice(0, 4000), unanswered: true } }, to).catch(() => {});
    });
  const offRequest = bus.subscribe("relay.req", requestSchema, (r, from) => {
    if (!local.isConnected(r.node)) {
      void answer(from, { id: r.id, ok: false, error: { code: "unavailable", message: `node ${r.node} is not connected to this server any more: try again`, unanswered: false } });
      return;
    }
    const streamId = r.action === streams.open || r.action === streams.close ? streams.idOf(r.payload) : null;
    if (r.action === streams.open && streamId) {
      if (serving.size >= MAX_STREAMS) {
        void answer(from, { id: r.id, ok: false, error: { code: "unavailable", message: "too many log streams are open through this server", unanswered: false } });
        return;
      }
      serving.set(streamId, { asker: from, node: r.node });
    }
    local.request(r.node, r.action, r.payload, r.timeoutMs).then(
      (result) => answer(from, { id: r.id, ok: true, result }),
      (err: Error) => {
        if (r.action === streams.open && streamId) serving.delete(streamId);
        const code = err instanceof ServiceError ? err.code : "unavailable";
        return answer(from, { id: r.id, ok: false, error: { code, message: err.message.slice(0, 4000), unanswered: !(err instanceof ServiceError) || err instanceof AgentUnansweredError } });
      },
    ).finally(() => {
      if (r.action === streams.close && streamId && serving.get(streamId)?.node === r.node) serving.delete(streamId);
    });
  });
  const offLocal = local.onEvent((node, event, payload) => {
    if (!streams.events.includes(event)) return;
    const streamId = streams.idOf(payload);
    const s = streamId ? serving.get(streamId) : undefined;
    if (!s) return;
    if (s.node !== node.name) return void (dropped += 1); // another node naming someone's stream
    if (event === streams.endEvent) serving.delete(streamId!);
    void bus.publish("relay.evt", { node: node.name, event, payload }, s.asker).catch(() => {});
  });

  return {
    request(holder, node, action, payload, timeoutMs) {
      const id = randomBytes(16).toString("base64url");
      const streamId = action === streams.open ? streams.idOf(payload) : null;
      // A stream being closed: whatever still comes for it is no longer wanted.
      if (action === streams.close) {
        const closing = streams.idOf(payload);
        if (closing) opened.delete(closing);
      }
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => fail(id, new AgentUnansweredError(`node ${node} did not answer '${action}' within ${Math.round(timeoutMs / 1000)} s`)), timeoutMs + ANSWER_GRACE_MS);
        pending.set(id, { holder, node, resolve, reject, timer });
        if (streamId) {
          if (opened.size >= MAX_STREAMS) return fail(id, new ServiceError("unavailable", "too many log streams are open: close some and try again"));
          opened.set(streamId, { holder, node });
        }
        bus.publish("relay.req", { id, node, action, payload, timeoutMs: Math.min(timeoutMs, MAX_TIMEOUT_MS) }, holder).catch((err: Error) => {
          fail(id, new ServiceError("unavailable", `cannot reach node ${node} through its server: ${err.message}`));
        });
      }).catch((err: unknown) => {
        if (streamId) opened.delete(streamId);
        throw err;
      });
    },
    onEvent(listener) {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
    localGone(node) {
      for (const [streamId, s] of serving) {
        if (s.node !== node) continue;
        serving.delete(streamId);
        const payload = streams.endPayload(streamId, `node ${node} disconnected`);
        void bus.publish("relay.evt", { node, event: streams.endEvent, payload }, s.asker).catch(() => {});
      }
    },
    stats: () => ({ pending: pending.size, streamsIn: opened.size, streamsOut: serving.size, dropped }),
    close() {
      offAnswer();
      offEvent();
      offMoved();
      offDown();
      offRequest();
      offLocal();
      for (const id of [...pending.keys()]) fail(id, new AgentUnansweredError("the server is shutting down"));
    },
  };
}
