/**
 * The request log: rows are buffered in memory and written in one batch a second (never on the
 * request path), pruned by age. A small in-memory tail (recent requests, recent failovers, traffic
 * per target over the last minute) feeds the routes page without touching the database.
 */
import type { FailoverView } from "../../../protocol/gateway";
import type { GatewayRepo } from "../../db/repos/gateway-repo";
import type { RequestRecord } from "../exchange";
import { createLogger } from "../../../lib/logger";

const log = createLogger("gateway-log");

const MAX_BUFFER = 50_000;
const RECENT = 200;
const WINDOW_S = 60;
/**
 * Rows per write, with the event loop let go between writes: a second's worth of rows under load
 * (thousands) written at once held every request and stream chunk for tens of milliseconds.
 */
const SLICE = 256;

/** The last `size` items, oldest overwritten; no shifting arrays on the hot path. */
class Ring<T> {
  private readonly items: T[] = [];
  private next = 0;
  constructor(private readonly size: number) {}

  push(item: T): void {
    if (this.items.length < this.size) this.items.push(item);
    else this.items[this.next] = item;
    this.next = (this.next + 1) % this.size;
  }

  newestFirst(): T[] {
    const n = this.items.length;
    const out: T[] = [];
    for (let i = 1; i <= n; i++) out.push(this.items[(this.next - i + n) % n]!);
    return out;
  }
}

export type FailoverEvent = FailoverView;

export interface TargetTraffic {
  target: string;
  /** Requests answered (or last tried) per second over the last minute. */
  perMinute: number;
  errors: number;
  avgTtftMs: number | null;
}

interface Bucket {
  sec: number;
  count: number;
  errors: number;
  ttftSum: number;
  ttftN: number;
}

export class RequestLog {
  private buffer: RequestRecord[] = [];
  private readonly recent = new Ring<RequestRecord>(RECENT);
  private readonly failovers = new Ring<FailoverEvent>(RECENT);
  /** The writes under way, in order: a flush resolves once every row buffered before it is written. */
  private writing: Promise<void> = Promise.resolve();
  private readonly traffic = new Map<string, Bucket[]>();
  private dropped = 0;
  /** Writes are failing (said once in the log, and once more when they work again). */
  private failing = false;

  constructor(private readonly repo: GatewayRepo, private readonly retentionMs: number, private readonly now: () => number = Date.now) {}

  add(r: RequestRecord): void {
    if (this.buffer.length < MAX_BUFFER) this.buffer.push(r);
    else this.dropped++;
    this.recent.push(r);
    for (const hop of r.hops) this.failovers.push({ ts: r.ts, model: r.modelAsked, ...hop });
    if (r.target) this.count(r.target, r);
  }

  private count(target: string, r: RequestRecord): void {
    const sec = Math.floor(this.now() / 1000);
    let buckets = this.traffic.get(target);
    if (!buckets) this.traffic.set(target, (buckets = []));
    let b = buckets[buckets.length - 1];
    if (!b || b.sec !== sec) {
      b = { sec, count: 0, errors: 0, ttftSum: 0, ttftN: 0 };
      buckets.push(b);
      while (buckets.length > 0 && buckets[0]!.sec <= sec - WINDOW_S) buckets.shift();
    }
    b.count++;
    if (r.status >= 400) b.errors++;
    if (r.ttftMs !== null) {
      b.ttftSum += r.ttftMs;
      b.ttftN++;
    }
  }

  trafficByTarget(): TargetTraffic[] {
    const since = Math.floor(this.now() / 1000) - WINDOW_S;
    const out: TargetTraffic[] = [];
    for (const [target, buckets] of this.traffic) {
      let count = 0, errors = 0, ttftSum = 0, ttftN = 0;
      for (const b of buckets) {
        if (b.sec <= since) continue;
        count += b.count;
        errors += b.errors;
        ttftSum += b.ttftSum;
        ttftN += b.ttftN;
      }
      out.push({ target, perMinute: count, errors, avgTtftMs: ttftN ? Math.round(ttftSum / ttftN) : null });
    }
    return out;
  }

  recentRequests(): RequestRecord[] {
    return this.recent.newestFirst();
  }

  recentFailovers(): FailoverEvent[] {
    return this.failovers.newestFirst();
  }

  /** Writes the buffered rows; never throws (a batch that fails goes back to the buffer, for the next flush). */
  flush(): Promise<void> {
    if (this.dropped > 0) {
      log.warn({ dropped: this.dropped }, "request log buffer was full: rows dropped");
      this.dropped = 0;
    }
    if (this.buffer.length === 0) return this.writing;
    const rows = this.buffer;
    this.buffer = [];
    this.writing = this.writing.then(() => this.write(rows));
    return this.writing;
  }

  private async write(rows: RequestRecord[]): Promise<void> {
    for (let i = 0; i < rows.length; i += SLICE) {
      if (i > 0) await new Promise((resolve) => setImmediate(resolve));
      const slice = rows.slice(i, i + SLICE);
      try {
        await this.repo.insertRequests(slice.map((r) => ({
          ts: r.ts, keyName: r.keyName, endpoint: r.endpoint, modelAsked: r.modelAsked, target: r.target,
          attempts: r.attempts, failovers: r.failovers, status: r.status, stream: r.stream, ttftMs: r.ttftMs,
          durationMs: r.durationMs, inputTokens: r.inputTokens, outputTokens: r.outputTokens, loadWaitMs: r.loadWaitMs ?? null, error: r.error, body: r.body,
        })));
      } catch (err) {
        // The database is down (a restart): what is not written waits for the next flush, within the buffer's bound.
        const unwritten = rows.slice(i);
        const room = Math.max(0, MAX_BUFFER - this.buffer.length);
        this.buffer = unwritten.slice(Math.max(0, unwritten.length - room)).concat(this.buffer);
        this.dropped += Math.max(0, unwritten.length - room);
        if (!this.failing) log.warn({ err: (err as Error).message, kept: this.buffer.length }, "writing the request log failed; rows kept for the next try");
        this.failing = true;
        return;
      }
    }
    if (this.failing) log.info("the request log is written again");
    this.failing = false;
  }

  prune(): Promise<number> {
    return this.repo.pruneRequests(this.now() - this.retentionMs);
  }
}
