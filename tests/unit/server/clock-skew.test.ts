import { describe, expect, it } from "vitest";
import { correctClockSkew } from "../../../server/core/clock-skew";
import { sample } from "../../helpers/samples";

describe("correctClockSkew", () => {
  it("keeps the agent's timestamps within tolerance", () => {
    const s = [sample(9_000), sample(10_000)];
    expect(correctClockSkew(s, 11_500)).toBe(s);
  });

  it("shifts a skewed agent's samples onto the server clock, keeping their spacing", () => {
    const s = [sample(1_000), sample(2_000), sample(3_000)];
    expect(correctClockSkew(s, 503_000).map((x) => x.ts)).toEqual([501_000, 502_000, 503_000]);
    expect(correctClockSkew([sample(900_000)], 300_000)[0]!.ts).toBe(300_000);
  });

  it("measures the skew from when the agent sent the message: an old batch of a backlog is not shifted", () => {
    // A backlog sent in two messages: the first holds samples minutes old, from an agent whose clock is right.
    const old = [sample(100_000), sample(101_000)];
    expect(correctClockSkew(old, 400_000, 2000, 399_900)).toBe(old);
    // The same batch from an agent 50 s behind moves by those 50 s only.
    expect(correctClockSkew(old, 400_000, 2000, 350_000).map((x) => x.ts)).toEqual([150_000, 151_000]);
  });
});
