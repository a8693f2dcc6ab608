/** onLoopEnd: how the nvidia-smi loop child ended → what the runner does next; the runner's timings. */
import { describe, expect, it } from "vitest";
import { classifyFailure, GPU_QUERY_FIELDS } from "../../../agents/telemetry/nvidia-smi-parse";
import { HEALTHY_AFTER_MS, onLoopEnd, runnerTimings, type LoopEnd, type LoopEndDecision } from "../../../agents/telemetry/nvidia-smi-restart";

const backoff = { min: 1000, max: 8000 };
const died = (over: Partial<LoopEnd> = {}): LoopEnd => ({
  failure: classifyFailure(15, "Unable to determine the device handle for GPU0000:41:00.0: GPU is lost.", "nvidia-smi"),
  exit: 15, livedMs: 2000, fields: GPU_QUERY_FIELDS, restarts: 0, ...over,
});
const invalidField = (field: string) => classifyFailure(2, `Field "${field}" is not a valid field to query.\n`, "nvidia-smi");

// prettier-ignore
const CASES: { name: string; end: LoopEnd; decision: { action: LoopEndDecision["action"]; warning?: RegExp | string; [key: string]: unknown } }[] = [
  { name: "first quick death: the minimum delay", end: died(), decision: { action: "restart", delayMs: 1000, restarts: 1, warning: /fallen off the bus.*; restarting it in 1 s$/ } },
  { name: "quick deaths in a row double the delay", end: died({ restarts: 2 }), decision: { action: "restart", delayMs: 4000, restarts: 3, warning: /restarting it in 4 s$/ } },
  { name: "the delay stops at the maximum", end: died({ restarts: 9 }), decision: { action: "restart", delayMs: 8000, restarts: 10 } },
  { name: "a child that lived long was healthy: back to the minimum", end: died({ restarts: 9, livedMs: HEALTHY_AFTER_MS }), decision: { action: "restart", delayMs: 1000, restarts: 1 } },
  { name: "a clean exit is still unexpected", end: died({ exit: 0, failure: classifyFailure(0, "", "nvidia-smi") }), decision: { action: "restart", warning: "nvidia-smi stopped unexpectedly; restarting it in 1 s" } },
  { name: "a killed (hung) child restarts too", end: died({ exit: "SIGKILL", failure: classifyFailure("SIGKILL", "", "nvidia-smi") }), decision: { action: "restart", warning: /^nvidia-smi failed \(SIGKILL\); restarting it in 1 s$/ } },
  { name: "an unknown optional field is dropped, at once", end: died({ exit: 2, failure: invalidField("power.draw.instant") }), decision: { action: "drop-field", field: "power.draw.instant", fields: GPU_QUERY_FIELDS.filter((f) => f !== "power.draw.instant") } },
  { name: "a required field cannot be dropped: restart with backoff", end: died({ exit: 2, failure: invalidField("uuid") }), decision: { action: "restart", delayMs: 1000 } },
  { name: "a field not asked for cannot be dropped", end: died({ exit: 2, failure: invalidField("clocks.max.sm"), fields: ["index", "uuid", "name"] }), decision: { action: "restart" } },
  { name: "the driver went away: unavailable, no restart loop", end: died({ exit: 9, failure: classifyFailure(9, "NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver.", "nvidia-smi") }), decision: { action: "unavailable" } },
  { name: "the binary went away: unavailable", end: died({ exit: "ENOENT", failure: classifyFailure("ENOENT", "", "nvidia-smi") }), decision: { action: "unavailable" } },
];

describe("onLoopEnd", () => {
  it.each(CASES)("$name", ({ end, decision }) => {
    const { warning, ...rest } = decision;
    const got = onLoopEnd(end, backoff);
    expect(got).toMatchObject(rest);
    if (warning !== undefined) expect(got.action === "restart" && got.warning).toMatch(warning);
  });

  it("uses 1 s doubling to 30 s when no backoff is given", () => {
    const delays = [0, 1, 2, 3, 4, 5, 6].map((restarts) => onLoopEnd(died({ restarts })));
    expect(delays.map((d) => d.action === "restart" && d.delayMs)).toEqual([1000, 2000, 4000, 8000, 16_000, 30_000, 30_000]);
  });
});

describe("runnerTimings", () => {
  it.each([
    [1000, { intervalMs: 1000, staleMs: 5000, hangMs: 30_000, quietMs: 250 }],
    [200, { intervalMs: 200, staleMs: 5000, hangMs: 30_000, quietMs: 100 }],
    [10, { intervalMs: 50, staleMs: 5000, hangMs: 30_000, quietMs: 25 }],
    [5000.4, { intervalMs: 5000, staleMs: 25_000, hangMs: 50_000, quietMs: 250 }],
  ])("interval %d ms", (intervalMs, timings) => {
    expect(runnerTimings(intervalMs)).toEqual(timings);
  });
});
