/**
 * The fleet's memory as the load manager counts it (server/core/ondemand/ledger.ts): GPU pools
 * from telemetry, CPU pools from SWITCHYARD_CPU_MEMORY (spent by estimates) or the host's
 * available memory, what each deployment holds (measured per process where telemetry says) and
 * what a load in progress still reserves; a sleeping vLLM's weights in CPU memory.
 */
import { describe, expect, it } from "vitest";
import type { NodeView } from "../../../protocol/live";
import { publicSpecSchema } from "../../../protocol/deployments";
import type { DeploymentRecord } from "../../../server/core/deployments/types";
import { buildLedger, type Estimate, type LedgerDeployment } from "../../../server/core/ondemand/ledger";
import { cpuPool, gpuPool } from "../../../server/core/ondemand/room";
import { snapshot } from "../../helpers/samples";

const MiB = 1024 ** 2;

function node(over: { budget?: number | null; memTotal?: number; memUsed?: number; gpuUsedMiB?: number; processes?: NodeView["processes"] } = {}): NodeView {
  const s = snapshot();
  return {
    id: "n", name: "box", online: true, lastSeen: 0, agentVersion: "x", driver: null, warnings: [],
    facts: { hostname: "box", os: "linux", arch: "x64", cpuModel: null, cpuCores: 2, memTotalBytes: 8e9, cpuMemoryBytes: over.budget ?? null },
    host: { ...s.host, memTotalBytes: over.memTotal ?? 8000 * MiB, memUsedBytes: over.memUsed ?? 3000 * MiB },
    gpus: [{ ...s.gpus[0]!, index: 0, uuid: "GPU-0", memTotalMiB: 24_000, memUsedMiB: over.gpuUsedMiB ?? 10_000 }],
    processes: over.processes ?? [],
  };
}

function deployment(name: string, over: Partial<DeploymentRecord> = {}, estimate: Estimate | null = null, extra: Partial<LedgerDeployment> = {}): LedgerDeployment {
  const record: DeploymentRecord = {
    id: name, name, node: "box", desired: "running", state: "ready", reason: null, logs: [], containerId: "c", port: 1, restarts: 0, warnings: [],
    createdAt: 0, updatedAt: 0, startedAt: 0, readyAt: 0, pids: [], progress: null, lastRequestAt: null,
    onDemand: { idleTimeoutS: 60, loadTimeoutS: 60, unload: "remove", node: null, gpus: null, image: null },
    spec: publicSpecSchema.parse({ id: name, name, engine: "llamacpp", model: { kind: "gguf", path: "/m/x.gguf" }, image: "i", gpus: [], servedName: name, options: {} }),
    ...over,
  };
  return { record, estimate, inFlight: 0, lastActiveAt: 0, sleeping: false, ...extra };
}

const cpuEstimate = (mib: number): Estimate => ({ perGpuBytes: [], cpuBytes: mib * MiB, weightsBytes: mib * MiB });

describe("buildLedger", () => {
  it("spends a CPU budget by the estimates of what runs there (loading ones included), and leaves stopped and standby ones out", () => {
    const l = buildLedger([node({ budget: 1000 * MiB })], [
      deployment("a", {}, cpuEstimate(300)),
      deployment("b", { state: "starting" }, cpuEstimate(200)),
      deployment("c", { state: "standby", containerId: null }, cpuEstimate(400)),
      deployment("d", { desired: "stopped" }, cpuEstimate(400)),
    ]);
    expect(l.pools.get(cpuPool("box"))).toMatchObject({ totalBytes: 1000 * MiB, freeBytes: 500 * MiB, measured: false });
    expect(l.holders.map((h) => [h.name, h.phase])).toEqual([["a", "ready"], ["b", "loading"]]);
    expect(l.holders[1]!.reserves.size).toBe(0); // already counted against the budget
  });

  it("without a budget: the host's available memory, and a CPU load in progress reserves its estimate", () => {
    const l = buildLedger([node({ memTotal: 8000 * MiB, memUsed: 3000 * MiB })], [deployment("b", { state: "loading" }, cpuEstimate(200))]);
    expect(l.pools.get(cpuPool("box"))).toMatchObject({ totalBytes: 8000 * MiB, freeBytes: 5000 * MiB, measured: true });
    expect(l.holders[0]!.reserves.get(cpuPool("box"))).toBe(200 * MiB);
  });

  it("GPU memory: measured per process where telemetry says; a load reserves what it has not taken yet", () => {
    const spec = (name: string) => publicSpecSchema.parse({ id: name, name, engine: "vllm", model: { kind: "hf", repo: "a/b" }, image: "i", gpus: [0], servedName: name, options: {} });
    const gpuEstimate: Estimate = { perGpuBytes: [12_000 * MiB], cpuBytes: 0, weightsBytes: 8000 * MiB };
    const l = buildLedger([node({ processes: [{ gpuUuid: "GPU-0", pid: 7, name: "vllm", usedMiB: 5000 }] })], [
      deployment("loading", { state: "loading", spec: spec("loading"), pids: [7] }, gpuEstimate),
      deployment("ready", { spec: spec("ready"), pids: [99] }, gpuEstimate),
      deployment("asleep", { state: "standby", spec: spec("asleep") }, gpuEstimate, { sleeping: true }),
    ]);
    expect(l.pools.get(gpuPool("box", 0))).toMatchObject({ totalBytes: 24_000 * MiB, freeBytes: 14_000 * MiB });
    const [loading, ready, asleep] = l.holders;
    expect(loading!.holds.get(gpuPool("box", 0))).toBe(5000 * MiB);
    expect(loading!.reserves.get(gpuPool("box", 0))).toBe(7000 * MiB);
    // Not measured (its PIDs hold nothing on record): the estimate stands in.
    expect(ready!.holds.get(gpuPool("box", 0))).toBe(12_000 * MiB);
    // Asleep (vLLM level 1): its weights wait in CPU memory; the GPU keeps only what telemetry shows.
    expect(asleep!.phase).toBe("sleeping");
    expect(asleep!.holds.get(gpuPool("box", 0))).toBe(0);
    expect(asleep!.holds.get(cpuPool("box"))).toBe(8000 * MiB);
  });
});
