/**
 * One dedicated PostgreSQL connection that comes back by itself: the bus listens on one, publishes
 * on another, and the leader lock lives on a third (a session-level lock is as long-lived as its
 * connection). While the database cannot be reached it retries with backoff and says so in the log,
 * once and then now and then, instead of giving up: a server outlives a database restart.
 */
import pg from "pg";
import { backoffMs } from "../../lib/backoff";
import type { Logger } from "../../lib/logger";
import { classifyPgError, describeDatabaseUrl } from "../db/pg-client";

export interface PgSessionOptions {
  url: string;
  /** application_name, and the name this connection goes by in the log. */
  name: string;
  log: Logger;
  /** Runs on each new connection before it counts as up (LISTEN, …); a throw drops it and retries. */
  setup?: (client: pg.Client) => Promise<void>;
  /** Called once the connection is up: `again` after it was lost (or never came up at first). */
  onUp?: (client: pg.Client, again: boolean) => void;
  /** Called when an up connection is lost. */
  onLost?: () => void;
  retryMs?: { min: number; max: number };
}

export interface PgSession {
  /** The connected client, or null while (re)connecting. */
  client(): pg.Client | null;
  isUp(): boolean;
  /** Drops the connection now (a failed query on it) and reconnects. */
  reset(): void;
  close(): Promise<void>;
}

export function openPgSession(opts: PgSessionOptions): PgSession {
  const where = describeDatabaseUrl(opts.url);
  const retry = opts.retryMs ?? { min: 500, max: 10_000 };
  let current: pg.Client | null = null;
  let up = false;
  let closed = false;
  let failures = 0;
  let everUp = false;
  let timer: NodeJS.Timeout | null = null;

  const lose = (client: pg.Client, why: string) => {
    if (current !== client) return;
    current = null;
    const wasUp = up;
    up = false;
    client.removeAllListeners("error");
    client.on("error", () => {}); // a late error from a dropped client must not crash the process
    void client.end().catch(() => {});
    if (closed) return;
    if (wasUp) {
      opts.log.warn({ connection: opts.name, database: where, why }, "lost the PostgreSQL connection; reconnecting");
      opts.onLost?.();
    } else {
      failures += 1;
      if (failures === 1 || failures % 10 === 0) opts.log.warn({ connection: opts.name, attempt: failures }, `PostgreSQL is unreachable for the ${opts.name} connection (${why}); retrying`);
    }
    schedule();
  };

  const schedule = () => {
    if (closed || timer) return;
    const delay = backoffMs(failures, { baseMs: retry.min, maxMs: retry.max, jitter: [0.75, 1.25] });
    timer = setTimeout(() => {
      timer = null;
      void connect();
    }, delay);
    timer.unref();
  };

  const connect = async () => {
    if (closed) return;
    const client = new pg.Client({ connectionString: opts.url, application_name: `switchyard-${opts.name}`, keepAlive: true, connectionTimeoutMillis: 5000 });
    current = client;
    client.on("error", (err) => lose(client, err.message));
    client.on("end", () => lose(client, "connection ended"));
    try {
      await client.connect();
      await opts.setup?.(client);
    } catch (err) {
      lose(client, classifyPgError(err, where).reason);
      return;
    }
    if (current !== client || closed) return;
    const again = everUp || failures > 0;
    if (again) opts.log.info({ connection: opts.name, attempts: failures }, "PostgreSQL connection is back");
    failures = 0;
    everUp = true;
    up = true;
    opts.onUp?.(client, again);
  };

  void connect();

  return {
    client: () => (up ? current : null),
    isUp: () => up,
    reset() {
      if (current) lose(current, "reset after a failed query");
    },
    async close() {
      closed = true;
      if (timer) clearTimeout(timer);
      const c = current;
      current = null;
      up = false;
      if (c) {
        c.removeAllListeners("error");
        c.on("error", () => {});
        await c.end().catch(() => {});
      }
    },
  };
}
