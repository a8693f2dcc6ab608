import { describe, expect, it } from "vitest";
import { Breaker, retryAfterMs } from "../../../server/gateway/health/breaker";

describe("circuit breaker", () => {
  it("opens after `threshold` consecutive server errors, not before", () => {
    const b = new Breaker({ threshold: 3, cooldownMs: 1000 });
    b.failure(0, "status");
    b.failure(0, "status");
    expect(b.state(0)).toBe("closed");
    b.failure(0, "status");
    expect(b.state(0)).toBe("open");
    expect(b.allows(500)).toBe(false);
  });

  it("a success in between resets the count", () => {
    const b = new Breaker({ threshold: 2 });
    b.failure(0, "status");
    b.success();
    b.failure(0, "status");
    expect(b.state(0)).toBe("closed");
  });

  it("opens at once on a refused connection or an overload (429/529)", () => {
    const a = new Breaker();
    a.failure(0, "connect");
    expect(a.state(0)).toBe("open");
    const b = new Breaker();
    b.failure(0, "overloaded");
    expect(b.state(0)).toBe("open");
  });

  it("half-opens after the cooldown and lets exactly one trial through", () => {
    const b = new Breaker({ cooldownMs: 1000 });
    b.failure(0, "connect");
    expect(b.acquire(999)).toBe(false);
    expect(b.state(1000)).toBe("half-open");
    expect(b.acquire(1000)).toBe(true);
    expect(b.acquire(1001)).toBe(false);
    b.success();
    expect(b.state(1002)).toBe("closed");
    expect(b.acquire(1002)).toBe(true);
  });

  it("a failed trial reopens with a doubled cooldown, capped", () => {
    const b = new Breaker({ cooldownMs: 1000, maxCooldownMs: 3000 });
    b.failure(0, "connect");
    b.acquire(1000);
    b.failure(1000, "connect");
    expect(b.snapshot(1000)).toMatchObject({ state: "open", retryInMs: 2000 });
    b.acquire(3000);
    b.failure(3000, "connect");
    expect(b.snapshot(3000).retryInMs).toBe(3000);
  });

  it("honours retry-after on overload", () => {
    const b = new Breaker({ cooldownMs: 1000 });
    b.failure(0, "overloaded", 7000);
    expect(b.snapshot(0).retryInMs).toBe(7000);
    expect(retryAfterMs("7")).toBe(7000);
    expect(retryAfterMs(new Date(10_000).toUTCString(), 4000)).toBe(6000);
    expect(retryAfterMs(undefined)).toBeUndefined();
  });

  it("an active health check passing after connection failures allows a trial right away", () => {
    const b = new Breaker({ cooldownMs: 60_000 });
    b.failure(0, "connect");
    b.healthPassed(10);
    expect(b.state(10)).toBe("half-open");
    // ...but not after an overload: a 429's rate limit is not lifted by /v1/models answering
    const c = new Breaker({ cooldownMs: 60_000 });
    c.failure(0, "overloaded");
    c.healthPassed(10);
    expect(c.state(10)).toBe("open");
  });

  it("release() frees the trial when the client went away", () => {
    const b = new Breaker({ cooldownMs: 10 });
    b.failure(0, "connect");
    expect(b.acquire(10)).toBe(true);
    b.release();
    expect(b.acquire(11)).toBe(true);
  });
});
