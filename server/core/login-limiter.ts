/**
 * Slows down token guessing on the sign-in endpoint: after `maxFailures` wrong tokens from one
 * address within `windowMs`, that address is refused until the window passes. Pure and in memory:
 * a restart forgets, which is fine for a LAN tool.
 */
export interface LoginLimiter {
  /** Milliseconds until the address may try again; 0 when it may try now. */
  retryAfterMs(address: string, now?: number): number;
  recordFailure(address: string, now?: number): void;
  recordSuccess(address: string): void;
}

export function createLoginLimiter(maxFailures = 10, windowMs = 60_000): LoginLimiter {
  const failures = new Map<string, number[]>();
  const recent = (address: string, now: number) => (failures.get(address) ?? []).filter((t) => t > now - windowMs);
  return {
    retryAfterMs(address, now = Date.now()) {
      const list = recent(address, now);
      if (list.length === 0) failures.delete(address);
      return list.length >= maxFailures ? list[0]! + windowMs - now : 0;
    },
    recordFailure(address, now = Date.now()) {
      const list = recent(address, now);
      list.push(now);
      failures.set(address, list);
      // Bound memory against a flood of distinct addresses.
      if (failures.size > 10_000) failures.delete(failures.keys().next().value!);
    },
    recordSuccess(address) {
      failures.delete(address);
    },
  };
}
