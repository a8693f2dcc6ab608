/** viewState: what the nvidia-smi runner knows → what the agent reports (GPUs shown, warnings). */
import { describe, expect, it } from "vitest";
import { viewState, type Readings } from "../../../agents/telemetry/nvidia-smi-view";
import type { Gpu } from "../../../protocol/telemetry";

const NOW = 1_000_000;
const gpu = { index: 0, uuid: "GPU-0", name: "NVIDIA H100 80GB HBM3" } as Gpu;
const proc = { gpuUuid: "GPU-0", pid: 42, name: "python", usedMiB: 1000 };
const base: Readings = {
  gpus: [gpu], batchAt: NOW - 1000, processes: [proc], driver: { version: "590.48.01", cuda: "13.1" }, loopStarts: 1,
  fields: ["index", "uuid", "name"], unavailable: null, loopWarning: null, processWarning: null, processesAt: null, driverNotes: new Set(),
};

// prettier-ignore
const CASES: { name: string; over: Partial<Readings>; gpus: number; processes: number; warnings: (string | RegExp)[]; settled: boolean }[] = [
  { name: "fresh readings: shown, no warning", over: {}, gpus: 1, processes: 1, warnings: [], settled: true },
  { name: "before the first batch: nothing known yet, not settled", over: { gpus: [], batchAt: null, processes: [] }, gpus: 0, processes: 0, warnings: [], settled: false },
  { name: "stale readings are not shown as current", over: { batchAt: NOW - 6000 }, gpus: 0, processes: 1, warnings: ["No GPU readings from nvidia-smi for 6 s"], settled: true },
  { name: "a restart pending says so instead of 'no readings'", over: { batchAt: NOW - 6000, loopWarning: "nvidia-smi stopped unexpectedly; restarting it in 2 s" }, gpus: 0, processes: 1, warnings: [/restarting it in 2 s/], settled: true },
  { name: "a loop failure before any batch settles the state", over: { gpus: [], batchAt: null, loopWarning: "x; restarting it in 1 s" }, gpus: 0, processes: 1, warnings: ["x; restarting it in 1 s"], settled: true },
  { name: "no usable stack: no GPUs, no processes, the reason", over: { unavailable: "NVIDIA driver/library version mismatch" }, gpus: 0, processes: 0, warnings: ["NVIDIA driver/library version mismatch"], settled: true },
  { name: "process listing trouble and driver notes come after", over: { processWarning: "Could not list GPU processes: x", driverNotes: new Set(["nvidia-smi: WARNING: infoROM is corrupted at gpu 0000:41:00.0"]) }, gpus: 1, processes: 1, warnings: ["Could not list GPU processes: x", /infoROM/], settled: true },
];

describe("viewState", () => {
  it.each(CASES)("$name", ({ over, gpus, processes, warnings, settled }) => {
    const s = viewState({ ...base, ...over }, NOW, 5000);
    expect(s.gpus).toHaveLength(gpus);
    expect(s.processes).toHaveLength(processes);
    expect(s.warnings).toEqual(warnings.map((w) => (typeof w === "string" ? w : expect.stringMatching(w))));
    expect(s.settled).toBe(settled);
    expect(s).toMatchObject({ loopStarts: 1, fields: ["index", "uuid", "name"] });
  });
});
