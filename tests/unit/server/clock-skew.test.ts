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
});
