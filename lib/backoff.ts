/** Exponential backoff: base, 2×base, 4×base … capped at max. `attempt` counts from 0. */
export function backoffMs(attempt: number, baseMs: number, maxMs: number): number {
  return Math.min(maxMs, baseMs * 2 ** Math.min(Math.max(0, attempt), 30));
}
