import { describe, expect, it } from "vitest";
import { MINUTE_MS, MinuteRollup } from "../../../server/core/rollup";

describe("MinuteRollup", () => {
  const t0 = 10 * MINUTE_MS;

  it("closes a minute when the next one starts: mean for util, peak for memory", () => {
    const r = new MinuteRollup(new Set(["mem"]));
    expect(r.add("g", t0, { util: 10, mem: 100 })).toBeNull();
    expect(r.add("g", t0 + 1000, { util: 30, mem: 500 })).toBeNull();
    expect(r.add("g", t0 + 2000, { util: 20, mem: 200 })).toBeNull();
    const row = r.add("g", t0 + MINUTE_MS, { util: 99, mem: 1 });
    expect(row).toEqual({ key: "g", ts: t0, values: { util: 20, mem: 500 } });
  });

  it("keeps null for a field that was unavailable the whole minute, and skips nulls otherwise", () => {
    const r = new MinuteRollup(new Set());
    r.add("g", t0, { util: null, temp: 50 });
    r.add("g", t0 + 1000, { util: null, temp: null });
    const row = r.add("g", t0 + MINUTE_MS, { util: 1, temp: 1 });
    expect(row?.values).toEqual({ util: null, temp: 50 });
  });

  it("keeps keys apart and drains open minutes", () => {
    const r = new MinuteRollup(new Set());
    r.add("a", t0, { util: 1 });
    r.add("b", t0, { util: 3 });
    const rows = r.drain().sort((x, y) => x.key.localeCompare(y.key));
    expect(rows.map((x) => [x.key, x.values.util])).toEqual([["a", 1], ["b", 3]]);
    expect(r.drain()).toEqual([]);
  });

  it("drops a late sample for a minute already closed", () => {
    const r = new MinuteRollup(new Set());
    r.add("g", t0 + MINUTE_MS, { util: 5 });
    expect(r.add("g", t0, { util: 100 })).toBeNull();
    expect(r.drain()[0]?.values.util).toBe(5);
  });
});
