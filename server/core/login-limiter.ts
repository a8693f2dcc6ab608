/**
 * Slows down token guessing on the sign-in endpoint. An attempt counts the moment it begins, before
 * its body (the guess) has arrived, as a failure that a success later wipes: guesses whose bodies
 * trickle in slowly cannot all start before the first one is judged. After `maxFailures` within
 * `windowMs` an address is refused until the window passes, and it may have at most
 * `maxConcurrent` attempts open at once. Pure and in memory: a restart forgets, which is fine for a
 * LAN tool.
 */
export type LoginAttempt =
  | { ok: true; /** Call exactly once, when the guess was judged (or the request died). */ done(success: boolean): void }
  | { ok: false; reason: "too_many_failures" | "too_many_at_once"; retryAfterMs: number };

export interface LoginLimiter {
  begin(address: string, now?: number): LoginAttempt;
}

/** Bound on remembered addresses, against a flood of distinct ones. */
const MAX_ADDRESSES = 10_000;

export function createLoginLimiter(maxFailures = 10, windowMs = 60_000, maxConcurrent = 2): LoginLimiter {
  const failures = new Map<string, number[]>();
  const open = new Map<string, number>();
  const recent = (address: string, now: number) => (failures.get(address) ?? []).filter((t) => t > now - windowMs);

  return {
    begin(address, now = Date.now()) {
      const list = recent(address, now);
      if (list.length >= maxFailures) return { ok: false, reason: "too_many_failures", retryAfterMs: list[0]! + windowMs - now };
      const inFlight = open.get(address) ?? 0;
      if (inFlight >= maxConcurrent) return { ok: false, reason: "too_many_at_once", retryAfterMs: 1000 };
      list.push(now);
      failures.set(address, list);
      if (failures.size > MAX_ADDRESSES) failures.delete(failures.keys().next().value!);
      open.set(address, inFlight + 1);
      let settled = false;
      return {
        ok: true,
        done(success) {
          if (settled) return;
          settled = true;
          const left = (open.get(address) ?? 1) - 1;
          if (left > 0) open.set(address, left);
          else open.delete(address);
          if (success) failures.delete(address);
        },
      };
    },
  };
}
