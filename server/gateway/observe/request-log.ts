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
  private readonly recent: RequestRecord[] = [];
  private readonly failovers: FailoverEvent[] = [];
  private readonly traffic = new Map<string, Bucket[]>();
  private dropped = 0;

  constructor(private readonly repo: GatewayRepo, private readonly retentionMs: number, private readonly now: () => number = Date.now) {}

  add(r: RequestRecord): void {
    if (this.buffer.length < MAX_BUFFER) this.buffer.push(r);
    else this.dropped++;
    this.recent.push(r);
    if (this.recent.length > RECENT) this.recent.shift();
    for (const hop of r.hops) {
      this.failovers.push({ ts: r.ts, model: r.modelAsked, ...hop });
      if (this.failovers.length > RECENT) this.failovers.shift();
    }
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
    return [...this.recent].reverse();
  }

  recentFailovers(): FailoverEvent[] {
    return [...this.failovers].reverse();
  }

  /** Writes the buffered rows; never throws (a failed batch is logged and dropped). */
  async flush(): Promise<void> {
    if (this.dropped > 0) {
      log.warn({ dropped: this.dropped }, "request log buffer was full: rows dropped");
      this.dropped = 0;
    }
    if (this.buffer.length === 0) return;
    const rows = this.buffer;
    this.buffer = [];
    try {
      await this.repo.insertRequests(rows.map((r) => ({
        ts: r.ts, keyName: r.keyName, endpoint: r.endpoint, modelAsked: r.modelAsked, target: r.target,
        attempts: r.attempts, failovers: r.failovers, status: r.status, stream: r.stream, ttftMs: r.ttftMs,
        durationMs: r.durationMs, inputTokens: r.inputTokens, outputTokens: r.outputTokens, error: r.error, body: r.body,
      })));
    } catch (err) {
      log.error({ err }, "writing the request log failed");
    }
  }

  prune(): Promise<number> {
    return this.repo.pruneRequests(this.now() - this.retentionMs);
  }
}
