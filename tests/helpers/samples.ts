/** Builders for telemetry test data (a snapshot shaped like the agent's real output). */
import type { TelemetrySample } from "../../protocol/agent-wire";
import type { Gpu, Snapshot } from "../../protocol/telemetry";

export function gpu(index: number, over: Partial<Gpu> = {}): Gpu {
  return {
    index, uuid: `GPU-test-${index}`, name: "NVIDIA GeForce RTX 3090", memTotalMiB: 24576, memUsedMiB: 1000 + index,
    utilGpuPct: 10 * index, tempC: 40 + index, powerW: 100.5, powerLimitW: 350, ...over,
  };
}

export function snapshot(over: Partial<Snapshot> = {}): Snapshot {
  return {
    host: { hostname: "box1", cpuPct: 3.5, memUsedBytes: 1e9, memTotalBytes: 8e9 },
    driver: { version: "590.48.01", cuda: "13.1" },
    gpus: [gpu(0), gpu(1)],
    processes: [{ gpuUuid: "GPU-test-0", pid: 42, name: "python3 -m vllm, serve", usedMiB: 900 }],
    warnings: [],
    ...over,
  };
}

export function sample(ts: number, over: Partial<Snapshot> = {}): TelemetrySample {
  return { ts, snapshot: snapshot(over) };
}
