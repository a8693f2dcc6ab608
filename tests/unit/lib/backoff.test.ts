import { describe, expect, it } from "vitest";
import { backoffMs, type BackoffOptions } from "../../../lib/backoff";

describe("backoffMs", () => {
  const cases: [string, number, BackoffOptions, number][] = [
    ["the first retry waits the base", 0, { baseMs: 1000, maxMs: 30_000 }, 1000],
    ["each retry doubles", 3, { baseMs: 1000, maxMs: 30_000 }, 8000],
    ["capped at max", 5, { baseMs: 1000, maxMs: 30_000 }, 30_000],
    ["a huge attempt stays at max (no Infinity, no NaN)", 5000, { baseMs: 1000, maxMs: 30_000 }, 30_000],
    ["a zero base stays zero", 5000, { baseMs: 0, maxMs: 30_000 }, 0],
    ["a negative attempt counts as the first", -2, { baseMs: 50, maxMs: 200 }, 50],
    ["equal jitter, lowest draw: half the delay", 2, { baseMs: 500, maxMs: 15_000, jitter: [0.5, 1], random: () => 0 }, 1000],
    ["equal jitter, highest draw: the whole delay", 2, { baseMs: 500, maxMs: 15_000, jitter: [0.5, 1], random: () => 1 }, 2000],
    ["spread jitter around the delay, above", 1, { baseMs: 1000, maxMs: 30_000, jitter: [0.75, 1.25], random: () => 1 }, 2500],
    ["spread jitter around the delay, below", 1, { baseMs: 1000, maxMs: 30_000, jitter: [0.75, 1.25], random: () => 0 }, 1500],
    ["jitter applies after the cap, rounded to whole ms", 40, { baseMs: 1000, maxMs: 15_001, jitter: [0.5, 1], random: () => 0 }, 7501],
  ];
  it.each(cases)("%s", (_name, attempt, options, expected) => {
    expect(backoffMs(attempt, options)).toBe(expected);
  });
});
