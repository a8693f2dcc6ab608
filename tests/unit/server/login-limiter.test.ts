import { describe, expect, it } from "vitest";
import { createLoginLimiter } from "../../../server/core/login-limiter";

describe("login limiter", () => {
  it("refuses an address after too many failures until the window passes", () => {
    const l = createLoginLimiter(3, 60_000);
    for (let i = 0; i < 3; i++) l.recordFailure("10.0.0.9", 1000 + i);
    expect(l.retryAfterMs("10.0.0.9", 2000)).toBe(60_000 + 1000 - 2000);
    expect(l.retryAfterMs("10.0.0.8", 2000)).toBe(0);
    expect(l.retryAfterMs("10.0.0.9", 61_001)).toBe(0);
  });

  it("forgets failures after a success", () => {
    const l = createLoginLimiter(2, 60_000);
    l.recordFailure("a", 1);
    l.recordSuccess("a");
    l.recordFailure("a", 2);
    expect(l.retryAfterMs("a", 3)).toBe(0);
  });
});
