import { describe, expect, it } from "vitest";
import {
  formatBytes,
  formatMiB,
  formatMiBPair,
  formatPercent,
  formatPowerPair,
  formatRate,
  formatRelativeTime,
  formatTemp,
  meanKnown,
  mibToGiB,
  ratioPct,
  sumKnown,
} from "../../../app/lib/format";

describe("formatBytes", () => {
  it.each([
    [0, "0 B"],
    [512, "512 B"],
    [1536, "1.50 KiB"],
    [67_318_874_112, "62.7 GiB"],
    [1_000_000_000_000, "931 GiB"],
    [1.2 * 2 ** 40, "1.20 TiB"],
  ])("%d -> %s", (bytes, expected) => {
    expect(formatBytes(bytes)).toBe(expected);
  });

  it("shows unavailable values as a dash, never 0", () => {
    expect(formatBytes(null)).toBe("—");
    expect(formatBytes(undefined)).toBe("—");
    expect(formatBytes(Number.NaN)).toBe("—");
  });
});

describe("GPU memory", () => {
  it("shows MiB as GiB with one decimal", () => {
    expect(mibToGiB(81559)).toBe("79.6");
    expect(formatMiBPair(16959, 81559)).toBe("16.6 / 79.6 GiB");
    expect(formatMiBPair(null, 24564)).toBe("— / 24.0 GiB");
  });

  it("formats per-process MiB with separators", () => {
    expect(formatMiB(15690)).toBe("15,690 MiB");
    expect(formatMiB(null)).toBe("—");
  });

  it("ratioPct clamps and refuses unknown or zero totals", () => {
    expect(ratioPct(16959, 81559)).toBeCloseTo(20.79, 1);
    expect(ratioPct(5, 0)).toBeNull();
    expect(ratioPct(null, 10)).toBeNull();
    expect(ratioPct(12, 10)).toBe(100);
  });
});

describe("percent, power, temperature, rates", () => {
  it("formats", () => {
    expect(formatPercent(98)).toBe("98%");
    expect(formatPercent(3.14159, { decimals: 1 })).toBe("3.1%");
    expect(formatPercent(null)).toBe("—");
    expect(formatPowerPair(295, 700)).toBe("295 / 700 W");
    expect(formatPowerPair(23.456, null)).toBe("23.5 / — W");
    expect(formatTemp(61.4)).toBe("61°C");
    expect(formatTemp(null)).toBe("—");
    expect(formatRate(1_258_291)).toBe("1.20 MiB/s");
    expect(formatRate(0)).toBe("0 B/s");
  });

  it("means and sums skip unknown values instead of counting them as 0", () => {
    expect(meanKnown([100, null, 50])).toBe(75);
    expect(meanKnown([null, undefined])).toBeNull();
    expect(sumKnown([295, null, 5])).toBe(300);
    expect(sumKnown([])).toBeNull();
  });
});

describe("formatRelativeTime", () => {
  const now = 1_750_000_000_000;
  it.each([
    [now, "just now"],
    [now + 3000, "just now"], // agent clock ahead of the browser's
    [now - 42_000, "42s ago"],
    [now - 5 * 60_000, "5m ago"],
    [now - 3 * 3_600_000, "3h ago"],
    [now - 3 * 86_400_000, "3d ago"],
  ])("%d -> %s", (ts, expected) => {
    expect(formatRelativeTime(ts, now)).toBe(expected);
  });

  it("says never for a node that never reported", () => {
    expect(formatRelativeTime(null, now)).toBe("never");
  });
});
