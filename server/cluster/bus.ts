/**
 * The bus between the servers of one control plane: topics with a schema each, handlers, and the
 * bookkeeping of what was refused. Transport-free: pg-bus.ts carries it over LISTEN/NOTIFY; a test
 * can feed `deliver` directly.
 */
import type { z } from "zod";
import type { Logger } from "../../lib/logger";
import type { Envelope } from "./bus-envelope";

export type BusHandler<T> = (body: T, from: string) => void;

export interface BusStats {
  up: boolean;
  published: number;
  received: number;
  /** Messages dropped because they were malformed, too large, or of no known topic. */
  refused: number;
  /** Publishes that failed (the database was unreachable). */
  failed: number;
  reconnects: number;
}

export interface Bus {
  readonly serverId: string;
  /**
   * Sends `body` on `topic` to every other server, or to `to` only. Messages of one server arrive
   * in the order they were published. Rejects while the database cannot be reached: each caller
   * decides whether that matters (a live view update does not; a relayed deploy does).
   */
  publish(topic: string, body: unknown, to?: string): Promise<void>;
  /** Hears a topic; bodies that fail `schema` never reach `handler`. */
  subscribe<T>(topic: string, schema: z.ZodType<T>, handler: BusHandler<T>): () => void;
  /** Called when the bus comes up again after being down: messages may have been missed, resync from the tables. */
  onResync(listener: () => void): () => void;
  /** Called when the bus goes down (pending cross-server requests cannot be answered). */
  onDown(listener: () => void): () => void;
  isUp(): boolean;
  stats(): BusStats;
  close(): Promise<void>;
}

/** Topics, handlers and counters; the transport hands it envelopes (and spilled bodies) in order. */
export function createDispatcher(log: Logger) {
  const topics = new Map<string, { schema: z.ZodType<unknown>; handlers: Set<BusHandler<unknown>> }>();
  const counters = { received: 0, refused: 0 };
  let lastRefusalLog = 0;

  const refuse = (reason: string, topic?: string, from?: string) => {
    counters.refused += 1;
    const now = Date.now();
    if (now - lastRefusalLog > 5000) {
      lastRefusalLog = now;
      log.warn({ reason: reason.slice(0, 200), topic, from, refused: counters.refused }, "refused a bus message");
    }
  };

  return {
    counters,
    refuse,
    subscribe<T>(topic: string, schema: z.ZodType<T>, handler: BusHandler<T>): () => void {
      let entry = topics.get(topic);
      if (!entry) topics.set(topic, (entry = { schema: schema as z.ZodType<unknown>, handlers: new Set() }));
      const h = handler as BusHandler<unknown>;
      entry.handlers.add(h);
      return () => void entry.handlers.delete(h);
    },
    /** Whether anyone listens to `topic` (a spilled body of an unheard topic is not fetched). */
    hears: (topic: string) => (topics.get(topic)?.handlers.size ?? 0) > 0,
    deliver(envelope: Envelope, body: unknown): void {
      counters.received += 1;
      const entry = topics.get(envelope.k);
      if (!entry || entry.handlers.size === 0) return; // a topic of a newer version, or one this server does not use
      const parsed = entry.schema.safeParse(body);
      if (!parsed.success) return refuse(parsed.error.issues[0]?.message ?? "body does not match its topic", envelope.k, envelope.f);
      for (const h of entry.handlers) {
        try {
          h(parsed.data, envelope.f);
        } catch (err) {
          log.error({ err, topic: envelope.k }, "a bus handler failed");
        }
      }
    },
  };
}
