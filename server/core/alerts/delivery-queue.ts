/**
 * Deliveries in flight: a bounded in-memory queue, retried with backoff while a channel is down,
 * each attempt recorded (attempts, last error, sent or failed). Sends run on their own schedule
 * with a small concurrency, so nothing here waits on telemetry ingest or the gateway, or they on it.
 */
import { backoffMs } from "../../../lib/backoff";
import { createLogger } from "../../../lib/logger";
import type { DeliveryPatch } from "../../db/repos/alerts-repo";
import type { Notice } from "./notice";

const log = createLogger("alerts-delivery");

export interface DeliveryJob {
  deliveryId: number;
  channel: string;
  notice: Notice;
}

interface Queued extends DeliveryJob {
  attempts: number;
  nextAt: number;
}

export interface DeliveryOptions {
  /** Sends to the named channel; throws with a message free of the channel's secrets. */
  send(channel: string, notice: Notice): Promise<void>;
  record(deliveryId: number, patch: DeliveryPatch): Promise<void>;
  now?: () => number;
  maxQueued?: number;
  maxAttempts?: number;
  concurrency?: number;
  retryBaseMs?: number;
  retryMaxMs?: number;
}

export class DeliveryQueue {
  private readonly jobs: Queued[] = [];
  private inFlight = 0;
  private timer: NodeJS.Timeout | null = null;
  private readonly now: () => number;
  private readonly idle = new Set<() => void>();

  constructor(private readonly o: DeliveryOptions) {
    this.now = o.now ?? Date.now;
  }

  get size(): number {
    return this.jobs.length + this.inFlight;
  }

  start(everyMs = 250): void {
    this.timer ??= setInterval(() => this.pump(), everyMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  enqueue(job: DeliveryJob): void {
    const max = this.o.maxQueued ?? 1000;
    if (this.jobs.length >= max) {
      // A channel down for hours must not hold the memory of everything since: the oldest gives way.
      const dropped = this.jobs.shift()!;
      void this.record(dropped, { status: "failed", attempts: dropped.attempts, error: `dropped: more than ${max} notices were waiting` });
    }
    this.jobs.push({ ...job, attempts: 0, nextAt: this.now() });
    this.pump();
  }

  /** Starts every due job the concurrency allows. */
  pump(): void {
    const limit = this.o.concurrency ?? 4;
    const now = this.now();
    for (let i = 0; i < this.jobs.length && this.inFlight < limit; ) {
      const job = this.jobs[i]!;
      if (job.nextAt > now) {
        i++;
        continue;
      }
      this.jobs.splice(i, 1);
      this.inFlight++;
      void this.attempt(job).finally(() => {
        this.inFlight--;
        if (this.size === 0) for (const done of this.idle) done();
      });
    }
  }

  /** Resolves once nothing is queued or in flight, or after `timeoutMs` (shutdown, tests). */
  async drain(timeoutMs: number): Promise<void> {
    if (this.size === 0) return;
    await new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(t);
        this.idle.delete(done);
        resolve();
      };
      const t = setTimeout(done, timeoutMs);
      this.idle.add(done);
    });
  }

  private async attempt(job: Queued): Promise<void> {
    job.attempts++;
    try {
      await this.o.send(job.channel, job.notice);
      await this.record(job, { status: "sent", attempts: job.attempts, error: null });
    } catch (err) {
      const error = (err as Error).message.slice(0, 500);
      const retryAfterMs = (err as { retryAfterMs?: number | null }).retryAfterMs ?? null;
      const last = job.attempts >= (this.o.maxAttempts ?? 8);
      log.warn({ channel: job.channel, attempt: job.attempts, error, giveUp: last }, "alert delivery failed");
      await this.record(job, { status: last ? "failed" : "pending", attempts: job.attempts, error });
      if (!last) {
        const wait = Math.max(retryAfterMs ?? 0, backoffMs(job.attempts - 1, { baseMs: this.o.retryBaseMs ?? 5000, maxMs: this.o.retryMaxMs ?? 5 * 60_000 }));
        this.jobs.push({ ...job, nextAt: this.now() + wait });
      }
    }
  }

  private async record(job: DeliveryJob, p: Omit<DeliveryPatch, "at">): Promise<void> {
    await this.o.record(job.deliveryId, { ...p, at: this.now() }).catch((err: unknown) => log.error({ err, channel: job.channel }, "recording a delivery failed"));
  }
}
