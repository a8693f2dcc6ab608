/**
 * Exponential backoff, the one formula every retry loop uses: base · 2^attempt, capped at max.
 * Optional jitter spreads clients that lost the same server apart, so they do not all come back
 * in the same millisecond.
 */

export interface BackoffOptions {
  baseMs: number;
  maxMs: number;
  /**
   * Scale the delay by a random factor in [low, high]: [0.5, 1] is "equal jitter" (never less
   * than half, so a flapping server is not hammered), [0.75, 1.25] spreads around the delay.
   */
  jitter?: readonly [low: number, high: number];
  random?: () => number;
}

/** Beyond this many doublings any realistic base has passed any realistic cap (and 2 ** n stays finite). */
const MAX_DOUBLINGS = 30;

/** The delay before retry number `attempt` (counting from 0). */
export function backoffMs(attempt: number, o: BackoffOptions): number {
  const doublings = Math.min(Math.max(0, Math.floor(attempt)), MAX_DOUBLINGS);
  const ceiling = Math.min(o.maxMs, o.baseMs * 2 ** doublings);
  if (o.jitter === undefined) return ceiling;
  const [low, high] = o.jitter;
  return Math.round(ceiling * (low + (o.random ?? Math.random)() * (high - low)));
}
