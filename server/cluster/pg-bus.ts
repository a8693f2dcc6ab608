/**
 * The bus over PostgreSQL: LISTEN on one dedicated connection, NOTIFY from another (one connection
 * sends in order, so one server's messages arrive in the order they were sent), bodies too large
 * for a NOTIFY payload stored in cluster_messages and fetched by the receivers. No other broker.
 *
 * Received messages are handled one after another, a spilled body fetched in its turn, so a
 * large message never lets a later one overtake it. Spilled rows are removed after a while by
 * whichever server sweeps first.
 */
import type pg from "pg";
import type { Logger } from "../../lib/logger";
import { BUS_CHANNEL, MAX_SPILLED_BYTES, decodeEnvelope, decodeSpilled, encodeMessage, isForMe } from "./bus-envelope";
import { createDispatcher, type Bus } from "./bus";
import { openPgSession } from "./pg-session";

/** How long a spilled body is kept: every server has read it long before. */
const SPILL_KEEP_MS = 120_000;
/** Messages waiting to be handled before new ones are dropped (a stalled handler, a flood). */
const MAX_INBOX = 10_000;
/** Publishes in flight before new ones are refused (the database stopped answering). */
const MAX_OUTBOX = 5_000;

export class BusUnavailableError extends Error {
  constructor() {
    super("the database that carries messages between servers is unreachable");
  }
}

export function createPgBus(opts: { url: string; serverId: string; log: Logger; retryMs?: { min: number; max: number } }): Bus {
  const { log, serverId } = opts;
  const dispatcher = createDispatcher(log);
  const counters = { published: 0, failed: 0, reconnects: 0 };
  const resyncListeners = new Set<() => void>();
  const downListeners = new Set<() => void>();
  let inbox: Promise<void> = Promise.resolve();
  let inboxSize = 0;
  let outbox = 0;

  const fetchSpilled = async (client: pg.Client, id: number): Promise<string | null> => {
    const { rows } = await client.query<{ body: string }>(
      "select body from cluster_messages where id = $1 and octet_length(body) <= $2", [id, MAX_SPILLED_BYTES]);
    return rows[0]?.body ?? null;
  };

  const receive = (client: pg.Client, payload: string) => {
    const decoded = decodeEnvelope(payload);
    if (!decoded.ok) return dispatcher.refuse(decoded.reason);
    const e = decoded.envelope;
    if (!isForMe(e, serverId)) return;
    if (e.r === undefined) return dispatcher.deliver(e, e.b);
    if (!dispatcher.hears(e.k)) return;
    if (inboxSize >= MAX_INBOX) return dispatcher.refuse("inbox full", e.k, e.f);
    inboxSize += 1;
    inbox = inbox.then(async () => {
      try {
        const text = await fetchSpilled(client, e.r!);
        if (text === null) return dispatcher.refuse("its spilled body is missing or too large", e.k, e.f);
        const body = decodeSpilled(text);
        if (!body.ok) return dispatcher.refuse(body.reason, e.k, e.f);
        dispatcher.deliver(e, body.body);
      } catch (err) {
        dispatcher.refuse(`reading its spilled body failed: ${(err as Error).message}`, e.k, e.f);
      } finally {
        inboxSize -= 1;
      }
    });
  };

  const listener = openPgSession({
    url: opts.url, name: "bus-listen", log, retryMs: opts.retryMs,
    async setup(client) {
      client.on("notification", (n) => {
        if (n.channel !== BUS_CHANNEL) return;
        const payload = n.payload ?? "";
        // Inline messages queue behind a spilled one being fetched, so order holds.
        if (inboxSize > 0) {
          if (inboxSize >= MAX_INBOX) return dispatcher.refuse("inbox full");
          inboxSize += 1;
          inbox = inbox.then(() => receive(client, payload)).finally(() => (inboxSize -= 1));
        } else {
          receive(client, payload);
        }
      });
      await client.query(`LISTEN ${BUS_CHANNEL}`);
    },
    onUp(_client, again) {
      if (!again) return;
      counters.reconnects += 1;
      for (const l of resyncListeners) l();
    },
    onLost() {
      for (const l of downListeners) l();
    },
  });

  const publisher = openPgSession({ url: opts.url, name: "bus-send", log, retryMs: opts.retryMs });

  const send = async (client: pg.Client, topic: string, encoded: ReturnType<typeof encodeMessage>, to?: string) => {
    if ("inline" in encoded) {
      await client.query("select pg_notify($1, $2)", [BUS_CHANNEL, encoded.inline]);
      return;
    }
    // One statement: the row is there (committed) when the notification goes out.
    await client.query(
      `with m as (insert into cluster_messages (created_at, body) values ($1, $2) returning id)
       select pg_notify($3, json_build_object('v', 1, 'f', $4::text, 't', $5::text, 'k', $6::text, 'r', m.id)::text) from m`,
      [Date.now(), encoded.spill, BUS_CHANNEL, serverId, to ?? null, topic]);
  };

  const sweeper = setInterval(() => {
    const client = publisher.client();
    if (!client) return;
    void client.query("delete from cluster_messages where created_at < $1", [Date.now() - SPILL_KEEP_MS]).catch(() => {});
  }, 60_000);
  sweeper.unref();

  return {
    serverId,
    async publish(topic, body, to) {
      const encoded = encodeMessage({ from: serverId, to, topic }, body);
      const client = publisher.client();
      if (!client || outbox >= MAX_OUTBOX) {
        counters.failed += 1;
        throw new BusUnavailableError();
      }
      outbox += 1;
      try {
        await send(client, topic, encoded, to);
        counters.published += 1;
      } catch (err) {
        counters.failed += 1;
        // A connection error (no SQLSTATE, or class 08/57: connection, shutdown) drops it and it comes back.
        const code = (err as { code?: string }).code;
        if (!code || !/^[0-9A-Z]{5}$/.test(code) || /^(08|57)/.test(code)) publisher.reset();
        throw err;
      } finally {
        outbox -= 1;
      }
    },
    subscribe: (topic, schema, handler) => dispatcher.subscribe(topic, schema, handler),
    onResync(listener) {
      resyncListeners.add(listener);
      return () => void resyncListeners.delete(listener);
    },
    onDown(listener) {
      downListeners.add(listener);
      return () => void downListeners.delete(listener);
    },
    isUp: () => listener.isUp() && publisher.isUp(),
    stats: () => ({ up: listener.isUp() && publisher.isUp(), ...counters, received: dispatcher.counters.received, refused: dispatcher.counters.refused }),
    async close() {
      clearInterval(sweeper);
      await inbox.catch(() => {});
      await Promise.all([listener.close(), publisher.close()]);
    },
  };
}
