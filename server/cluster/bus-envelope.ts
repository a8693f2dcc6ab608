/**
 * What travels between servers on the bus, as text: an envelope (who sent it, to whom, the topic)
 * around a JSON body, inline in the NOTIFY payload when it fits, else in a row of cluster_messages
 * that the payload points to. Pure: the PostgreSQL adapter (pg-bus.ts) only moves the text.
 *
 * The database is an edge like any socket: whoever can NOTIFY on the channel (or write that table)
 * can say anything, so every envelope is parsed with bounds and a body is checked against its
 * topic's schema before any handler sees it.
 */
import { z } from "zod";

/** The one LISTEN/NOTIFY channel of a Switchyard database. */
export const BUS_CHANNEL = "switchyard_bus";
/** NOTIFY refuses payloads of 8000 bytes or more; the envelope around a body needs some of them. */
export const MAX_INLINE_BYTES = 7800;
/** Largest body carried through cluster_messages (a relayed log tail, a deploy answer). */
export const MAX_SPILLED_BYTES = 4 * 1024 * 1024;

const SERVER_ID = /^[A-Za-z0-9_-]{1,64}$/;
const TOPIC = /^[a-z][a-z0-9.-]{0,63}$/;

export const serverIdSchema = z.string().regex(SERVER_ID);

const envelopeSchema = z.object({
  v: z.literal(1),
  /** The sending server. */
  f: serverIdSchema,
  /** One server only; absent or null: every server. */
  t: serverIdSchema.nullish(),
  k: z.string().regex(TOPIC),
  /** The body, inline. */
  b: z.unknown().optional(),
  /** Or the id of the cluster_messages row that holds it. */
  r: z.number().int().positive().optional(),
}).refine((e) => (e.b === undefined) !== (e.r === undefined), "an envelope carries a body or a reference, not both or neither");

export type Envelope = z.infer<typeof envelopeSchema>;

export interface Outgoing {
  from: string;
  to?: string | null;
  topic: string;
}

export class BusMessageError extends Error {}

/**
 * The NOTIFY payload for a message, or `spill` when it must go through cluster_messages (the
 * caller stores `body` and notifies with the row's id). Throws on what no receiver would take.
 */
export function encodeMessage(out: Outgoing, body: unknown): { inline: string } | { spill: string } {
  if (!TOPIC.test(out.topic)) throw new BusMessageError(`bad bus topic '${out.topic}'`);
  const text = JSON.stringify({ v: 1, f: out.from, ...(out.to ? { t: out.to } : {}), k: out.topic, b: body });
  if (Buffer.byteLength(text) <= MAX_INLINE_BYTES) return { inline: text };
  const spilled = JSON.stringify(body);
  if (Buffer.byteLength(spilled) > MAX_SPILLED_BYTES) {
    throw new BusMessageError(`a '${out.topic}' message of ${Buffer.byteLength(spilled)} bytes is larger than the bus carries (${MAX_SPILLED_BYTES})`);
  }
  return { spill: spilled };
}

/** The envelope of a received NOTIFY payload, or why it was refused. */
export function decodeEnvelope(payload: string): { ok: true; envelope: Envelope } | { ok: false; reason: string } {
  if (Buffer.byteLength(payload) > 8000) return { ok: false, reason: "payload over the NOTIFY limit" };
  let raw: unknown;
  try {
    raw = JSON.parse(payload);
  } catch {
    return { ok: false, reason: "not JSON" };
  }
  const parsed = envelopeSchema.safeParse(raw);
  if (!parsed.success) return { ok: false, reason: parsed.error.issues[0]?.message ?? "not an envelope" };
  return { ok: true, envelope: parsed.data };
}

/** A spilled body read back from its row (already bounded by the query that read it). */
export function decodeSpilled(text: string): { ok: true; body: unknown } | { ok: false; reason: string } {
  if (Buffer.byteLength(text) > MAX_SPILLED_BYTES) return { ok: false, reason: "spilled body over the limit" };
  try {
    return { ok: true, body: JSON.parse(text) };
  } catch {
    return { ok: false, reason: "spilled body is not JSON" };
  }
}

/** Whether this server should look at an envelope: not its own, and addressed to it or to all. */
export function isForMe(e: Envelope, me: string): boolean {
  return e.f !== me && (e.t === undefined || e.t === null || e.t === me);
}
