/**
 * Health of every backend: the active checks on their schedule, the passive breaker, outstanding
 * requests, and the stall watchdog.
 *
 * The watchdog is how a backend that accepts connections but stops answering is noticed within a
 * few seconds without cutting off a slow-but-alive one (a 12,000-token prompt can take a minute
 * before its first token): when a request has waited STALL_MS for its first byte, the backend's
 * health endpoint is probed at once (short timeout). If the probe fails, the backend is marked down
 * and every request still waiting on it, with nothing sent to its client yet, moves to its next target.
 */
import type { Backend } from "../backends";
import { createLogger } from "../../../lib/logger";
import { SlotSet, type Slotted } from "../../../lib/slot-set";
import { Breaker, type FailureKind } from "./breaker";
import { checkBackend, type CheckResult } from "./check";
import type { Availability } from "../routing/plan";

const log = createLogger("gateway-health");

const STALL_MS = 1000;

const MIN_PROBE_GAP_MS = 1000;
const TICK_MS = 250;

/**
 * A request waiting for its first byte: `since` is set when it starts waiting (waitFirstByte); `slot`
 * is its place among the waiters (-1 when it waits on nothing), kept by the monitor.
 */
export interface FirstByteWaiter extends Slotted {
  since: number;
  onDown(why: string): void;
}

interface BackendHealth {
  breaker: Breaker;
  /** null until the first check answered (or when checks are off). */
  up: boolean | null;
  lastCheck: CheckResult | null;
  lastCheckAt: number;
  checking: boolean;
  outstanding: number;
  /** Not a Set: one add and delete per request (see SlotSet). */
  waiters: SlotSet<FirstByteWaiter>;
  changedAt: number;
  lastActivity: number;
}

export interface BackendHealthView {
  up: boolean | null;
  breaker: ReturnType<Breaker["snapshot"]>;
  availability: Availability;
  outstanding: number;
  lastCheckAt: number | null;
  latencyMs: number | null;
  error: string | null;
  changedAt: number;
}

export type Outcome = { ok: true } | { ok: false; kind: FailureKind; retryAfterMs?: number } | { ok: null };

export class HealthMonitor {
  private readonly state = new Map<string, BackendHealth>();
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly backends: () => ReadonlyMap<string, Backend>, private readonly now: () => number = Date.now) {}

  start(): void {
    if (!this.timer) {
      this.timer = setInterval(() => this.tick(), TICK_MS);
      this.timer.unref();
    }
    this.tick();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  private get(name: string): BackendHealth {
    let h = this.state.get(name);
    if (!h) {
      h = { breaker: new Breaker(), up: null, lastCheck: null, lastCheckAt: 0, checking: false, outstanding: 0, waiters: new SlotSet(), changedAt: this.now(), lastActivity: 0 };
      this.state.set(name, h);
    }
    return h;
  }

  availability(name: string): Availability | null {
    const b = this.backends().get(name);
    if (!b) return null;
    // Cold on demand: nothing to check and nothing to trip; a request loads it.
    if (b.onDemand && !b.onDemand.warm) return "up";
    const h = this.get(name);
    if (b.deploymentReady === false || h.up === false) return "down";
    if (b.maxConcurrent > 0 && h.outstanding >= b.maxConcurrent) return "down";
    const now = this.now();
    if (h.breaker.state(now) === "closed") return "up";
    return h.breaker.allows(now) ? "trial" : "down";
  }

  outstanding(name: string): number {
    return this.state.get(name)?.outstanding ?? 0;
  }

  /** An on-demand deployment that is not loaded: tried after warm targets of the same tier. */
  cold(name: string): boolean {
    const od = this.backends().get(name)?.onDemand;
    return od !== undefined && !od.warm;
  }

  /** Call before sending: false when the breaker refuses (its half-open trial is taken). */
  begin(name: string, lastResort: boolean): boolean {
    const h = this.get(name);
    // A last resort goes even through an open breaker: it is that or a certain error for the client.
    if (!h.breaker.acquire(this.now()) && !lastResort) return false;
    h.outstanding++;
    return true;
  }

  end(name: string, outcome: Outcome): void {
    const h = this.get(name);
    h.outstanding = Math.max(0, h.outstanding - 1);
    const now = this.now();
    if (outcome.ok === true) {
      if (h.breaker.state(now) !== "closed") h.changedAt = now;
      h.breaker.success();
    } else if (outcome.ok === false) {
      const before = h.breaker.state(now);
      h.breaker.failure(now, outcome.kind, outcome.retryAfterMs);
      if (before !== "open" && h.breaker.state(now) === "open") {
        h.changedAt = now;
        log.warn({ backend: name, kind: outcome.kind }, "circuit opened");
      }
    } else h.breaker.release();
  }

  /** The backend sent something: it is not hung. Called per response and per streamed chunk. */
  touch(name: string): void {
    const h = this.state.get(name);
    if (h) h.lastActivity = this.now();
  }

  /**
   * Registers a request waiting for its first byte, until doneWaiting. The waiter is the caller's
   * own object (no closure per request on the hot path).
   */
  waitFirstByte(name: string, waiter: FirstByteWaiter): void {
    waiter.since = this.now();
    this.get(name).waiters.add(waiter);
  }

  doneWaiting(name: string, waiter: FirstByteWaiter): void {
    this.state.get(name)?.waiters.delete(waiter);
  }

  view(name: string): BackendHealthView {
    const h = this.get(name);
    return {
      up: h.up,
      breaker: h.breaker.snapshot(this.now()),
      availability: this.availability(name) ?? "down",
      outstanding: h.outstanding,
      lastCheckAt: h.lastCheckAt || null,
      latencyMs: h.lastCheck?.latencyMs ?? null,
      error: h.lastCheck?.error ?? null,
      changedAt: h.changedAt,
    };
  }

  /** Runs one check now (the schedule, the watchdog, tests); null when one is already running. */
  async checkNow(name: string): Promise<CheckResult | null> {
    const b = this.backends().get(name);
    if (!b) return null;
    const h = this.get(name);
    if (h.checking) return null;
    h.checking = true;
    const started = (h.lastCheckAt = this.now());
    let result: CheckResult;
    try {
      result = await checkBackend(b);
    } finally {
      h.checking = false;
    }
    this.apply(name, h, result, started);
    return result;
  }

  private apply(name: string, h: BackendHealth, r: CheckResult, started: number): void {
    // A backend that sent bytes (headers, body chunks) while its probe waited is alive, whatever its
    // health endpoint says: under load /health can be slower than the probe's timeout, and taking a
    // busy backend out would push its load onto the others. Only silence counts as a hang.
    if (!r.ok && r.status === null && h.lastActivity >= started) {
      h.lastCheck = { ...r, error: `slow health check while serving traffic (${r.error})` };
      h.lastCheckAt = this.now();
      return;
    }
    h.lastCheck = r;
    h.lastCheckAt = this.now();
    const was = h.up;
    h.up = r.ok;
    if (r.ok) h.breaker.healthPassed(this.now());
    else h.breaker.healthFailed(this.now());
    if (was !== h.up) {
      h.changedAt = this.now();
      if (was !== null || !r.ok) log[r.ok ? "info" : "warn"]({ backend: name, error: r.error }, r.ok ? "backend up" : "backend down");
    }
    if (!r.ok) {
      for (const w of h.waiters.drain()) w.onDown(r.error ?? "health check failed");
    }
  }

  private tick(): void {
    const now = this.now();
    const backends = this.backends();
    for (const [name, b] of backends) {
      // What was learnt about an unloaded engine says nothing about its next start.
      if (b.onDemand && !b.onDemand.warm) {
        const gone = this.state.get(name);
        if (gone && gone.outstanding === 0 && !gone.checking) this.forget(name);
        continue;
      }
      const h = this.get(name);
      if (h.checking || !b.healthPath) continue;
      const stalled = h.waiters.some((w) => now - w.since >= STALL_MS);
      const due = now - h.lastCheckAt >= b.healthIntervalMs;
      if (due || (stalled && now - h.lastCheckAt >= MIN_PROBE_GAP_MS)) void this.checkNow(name);
    }
    for (const name of this.state.keys()) if (!backends.has(name)) this.forget(name);
  }

  /** Drops what is known of a backend; a request still waiting on it is no longer a waiter. */
  private forget(name: string): void {
    this.state.get(name)?.waiters.drain();
    this.state.delete(name);
  }
}
