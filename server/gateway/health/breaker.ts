/**
 * A passive circuit breaker per backend, fed by real requests. Pure (the clock is passed in).
 *
 *   closed ──(threshold consecutive failures, or one that proves the backend gone/overloaded)──▶ open
 *   open ──(cooldown elapsed, or an active health check passes after a connection failure)──▶ half-open
 *   half-open: one trial request; success ▶ closed, failure ▶ open with the cooldown doubled (capped)
 *
 * Connection refusals, 429 and 529 open it at once: retrying them only piles more load on a
 * backend that has already said no. 429/529 honour the upstream's retry-after.
 */
import { backoffMs } from "../../../lib/backoff";

export type BreakerState = "closed" | "open" | "half-open";

export type FailureKind = "connect" | "timeout" | "status" | "overloaded" | "reset";

export interface BreakerOptions {
  threshold?: number;
  cooldownMs?: number;
  maxCooldownMs?: number;
}

export class Breaker {
  private state_: BreakerState = "closed";
  private failures = 0;
  private openUntil = 0;
  private cooldown: number;
  /** Failed half-open trials since the last success: each doubles the cooldown. */
  private failedTrials = 0;
  private trialInFlight = false;
  private reason: FailureKind | null = null;
  readonly threshold: number;
  readonly baseCooldownMs: number;
  readonly maxCooldownMs: number;

  constructor(opts: BreakerOptions = {}) {
    this.threshold = opts.threshold ?? 3;
    this.baseCooldownMs = opts.cooldownMs ?? 5_000;
    this.maxCooldownMs = opts.maxCooldownMs ?? 60_000;
    this.cooldown = this.baseCooldownMs;
  }

  state(now: number): BreakerState {
    if (this.state_ === "open" && now >= this.openUntil) {
      this.state_ = "half-open";
      this.trialInFlight = false;
    }
    return this.state_;
  }

  /** Whether a request may go now (without taking the half-open trial). */
  allows(now: number): boolean {
    const s = this.state(now);
    return s === "closed" || (s === "half-open" && !this.trialInFlight);
  }

  /** Call right before sending; false when the request must not go (the trial is taken). */
  acquire(now: number): boolean {
    const s = this.state(now);
    if (s === "closed") return true;
    if (s === "open" || this.trialInFlight) return false;
    this.trialInFlight = true;
    return true;
  }

  success(): void {
    this.state_ = "closed";
    this.failures = 0;
    this.failedTrials = 0;
    this.cooldown = this.baseCooldownMs;
    this.trialInFlight = false;
    this.reason = null;
  }

  failure(now: number, kind: FailureKind, retryAfterMs?: number): void {
    this.failures++;
    const s = this.state(now);
    if (s === "half-open") {
      this.cooldown = backoffMs(++this.failedTrials, { baseMs: this.baseCooldownMs, maxMs: this.maxCooldownMs });
      this.open(now, kind, retryAfterMs);
      return;
    }
    if (s === "open") return;
    const immediate = kind === "connect" || kind === "overloaded";
    if (immediate || this.failures >= this.threshold) this.open(now, kind, retryAfterMs);
  }

  /** An active health check passed: a backend that had refused connections is worth a trial now. */
  healthPassed(now: number): void {
    if (this.state(now) === "open" && (this.reason === "connect" || this.reason === "timeout" || this.reason === "reset")) {
      this.openUntil = now;
      this.state(now);
    }
  }

  /** An active health check failed: nothing should go there until it recovers. */
  healthFailed(now: number): void {
    if (this.state(now) !== "open") this.open(now, "connect");
  }

  /** Neither a success nor a failure (the client went away): frees the half-open trial. */
  release(): void {
    this.trialInFlight = false;
  }

  snapshot(now: number): { state: BreakerState; failures: number; retryInMs: number; reason: FailureKind | null } {
    const state = this.state(now);
    return { state, failures: this.failures, retryInMs: state === "open" ? this.openUntil - now : 0, reason: this.reason };
  }

  private open(now: number, kind: FailureKind, retryAfterMs?: number): void {
    this.state_ = "open";
    this.reason = kind;
    this.trialInFlight = false;
    const wait = retryAfterMs !== undefined && retryAfterMs > 0 ? Math.min(retryAfterMs, this.maxCooldownMs) : this.cooldown;
    this.openUntil = now + wait;
  }
}

/** `retry-after` (seconds or an HTTP date) → ms, or undefined. */
export function retryAfterMs(header: string | string[] | undefined, now = Date.now()): number | undefined {
  const v = Array.isArray(header) ? header[0] : header;
  if (!v) return undefined;
  const secs = Number(v);
  if (Number.isFinite(secs)) return Math.max(0, secs * 1000);
  const at = Date.parse(v);
  return Number.isFinite(at) ? Math.max(0, at - now) : undefined;
}
