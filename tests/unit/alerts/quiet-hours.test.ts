import { describe, expect, it } from "vitest";
import { inQuietHours } from "../../../server/core/alerts/quiet-hours";
import { formatDuration, parseDuration } from "../../../protocol/duration";

const at = (iso: string) => Date.parse(iso);

describe("quiet hours", () => {
  it.each([
    ["2026-12-07T23:30:00Z", true],
    ["2026-12-07T06:59:00Z", true],
    ["2026-12-07T07:00:00Z", false],
    ["2026-12-07T12:00:00Z", false],
    ["2026-12-07T22:00:00Z", true],
  ])("22:00–07:00 UTC at %s: %s", (iso, quiet) => {
    expect(inQuietHours({ from: "22:00", to: "07:00", timezone: "UTC" }, at(iso))).toBe(quiet);
  });

  it("reads the clock in the given time zone", () => {
    // 21:30 UTC is 22:30 in Berlin (CET, winter).
    expect(inQuietHours({ from: "22:00", to: "07:00", timezone: "Europe/Berlin" }, at("2026-12-07T21:30:00Z"))).toBe(true);
    expect(inQuietHours({ from: "22:00", to: "07:00", timezone: "UTC" }, at("2026-12-07T21:30:00Z"))).toBe(false);
    expect(inQuietHours({ from: "12:00", to: "13:00", timezone: "UTC" }, at("2026-12-07T12:10:00Z"))).toBe(true);
  });
});

describe("durations", () => {
  it.each([["30s", 30_000], ["5m", 300_000], ["1h30m", 5_400_000], ["2d", 172_800_000], ["90", 90_000], ["250ms", 250], ["soon", null], ["5 m", null]])("%s", (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });
  it("formats back", () => {
    expect([0, 30_000, 5_400_000, 90_061_000].map(formatDuration)).toEqual(["0s", "30s", "1h30m", "1d1h1m1s"]);
  });
});
