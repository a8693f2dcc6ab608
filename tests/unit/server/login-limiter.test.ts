import { describe, expect, it } from "vitest";
import { createLoginLimiter } from "../../../server/core/login-limiter";

describe("login limiter", () => {
  it("refuses an address after too many failures until the window passes", () => {
    const l = createLoginLimiter(3, 60_000);
    for (let i = 0; i < 3; i++) {
      const a = l.begin("10.0.0.9", 1000 + i);
      if (a.ok) a.done(false);
    }
    const refused = l.begin("10.0.0.9", 2000);
    expect(refused).toEqual({ ok: false, reason: "too_many_failures", retryAfterMs: 60_000 + 1000 - 2000 });
    expect(l.begin("10.0.0.8", 2000).ok).toBe(true);
    expect(l.begin("10.0.0.9", 61_001).ok).toBe(true);
  });

  it("counts an attempt when it begins, before it is judged (slow bodies cannot all start)", () => {
    const l = createLoginLimiter(3, 60_000, 100);
    const open = [l.begin("a", 1), l.begin("a", 2), l.begin("a", 3)];
    expect(open.every((a) => a.ok)).toBe(true);
    expect(l.begin("a", 4)).toMatchObject({ ok: false, reason: "too_many_failures" });
  });

  it("caps attempts open at once per address", () => {
    const l = createLoginLimiter(100, 60_000, 2);
    const first = l.begin("a", 1);
    const second = l.begin("a", 2);
    expect(l.begin("a", 3)).toMatchObject({ ok: false, reason: "too_many_at_once" });
    expect(l.begin("b", 3).ok).toBe(true);
    if (first.ok) first.done(false);
    if (first.ok) first.done(false); // a second call changes nothing
    expect(l.begin("a", 4).ok).toBe(true);
    expect(second.ok).toBe(true);
  });

  it("forgets failures after a success", () => {
    const l = createLoginLimiter(2, 60_000);
    const a = l.begin("a", 1);
    if (a.ok) a.done(false);
    const b = l.begin("a", 2);
    if (b.ok) b.done(true);
    const c = l.begin("a", 3);
    if (c.ok) c.done(false);
    expect(l.begin("a", 4).ok).toBe(true);
  });
});
