/**
 * The fleet's memory as room.ts counts it, pure: pools from the nodes' live telemetry (every GPU;
 * each node's CPU budget) and holders from the deployments that run or load there, with what each
 * holds (measured per process where telemetry says, else its estimate) and what a load in progress
 * will still take. Everything a node reports is bounded here: a negative or absurd figure is
 * unknown memory, never room.
 */
import type { NodeView } from "../../../protocol/live";
import type { DeploymentRecord } from "../deployments/types";
import { cpuPool, gpuPool, type Holder, type Phase, type Pool, type PoolKey } from "./room";

const MiB = 1024 ** 2;

/** What an estimate says a deployment takes: per GPU (in its GPU order), or in CPU memory. */
export interface Estimate {
  perGpuBytes: number[];
  cpuBytes: number;
  /** Weights alone: what a sleeping vLLM keeps in CPU memory (level 1). */
  weightsBytes: number;
}

export interface LedgerDeployment {
  record: DeploymentRecord;
  estimate: Estimate | null;
  inFlight: number;
  lastActiveAt: number;
  /** Its engine sleeps (vLLM sleep mode). */
  sleeping: boolean;
}

/** On its way to serving: a start under way (bring-up.ts waits for it rather than start a second). */
export const LOADING: ReadonlySet<string> = new Set(["pending", "pulling", "starting", "loading"]);
const SERVING = new Set(["ready", "unhealthy"]);

/** A load claimed by a server (others wait for it) but not yet placed: it holds and reserves nothing yet. */
export const CLAIMED: NonNullable<DeploymentRecord["progress"]> = { pct: null, text: "finding room to load" };

export function isClaimOnly(r: DeploymentRecord): boolean {
  return r.state === "pending" && r.containerId === null && r.progress?.text === CLAIMED.text;
}

/** Where a deployment is in its life, as memory goes; null when it holds nothing (stopped, failed, standby without a container, claimed only). */
export function phaseOf(r: DeploymentRecord, sleeping: boolean): Phase | null {
  if (r.desired !== "running" || isClaimOnly(r)) return null;
  if (sleeping && r.containerId !== null) return "sleeping";
  if (LOADING.has(r.state)) return "loading";
  if (SERVING.has(r.state)) return "ready";
  return null;
}

const sane = (x: number | null | undefined): number | null => (typeof x === "number" && Number.isFinite(x) && x >= 0 && x < 2 ** 53 ? x : null);

function nodePools(n: NodeView): Pool[] {
  const pools: Pool[] = n.gpus.map((g) => {
    const total = sane(g.memTotalMiB);
    const used = sane(g.memUsedMiB);
    return {
      key: gpuPool(n.name, g.index), label: `GPU ${g.index} of ${n.name}`,
      totalBytes: total === null ? null : total * MiB,
      freeBytes: total === null || used === null ? null : Math.max(0, total - used) * MiB,
      measured: true,
    };
  });
  const budget = sane(n.facts?.cpuMemoryBytes);
  if (budget !== null && budget > 0) {
    // Filled in by the caller from the resident deployments' estimates (budget accounting).
    pools.push({ key: cpuPool(n.name), label: `the CPU memory budget of ${n.name} (SWITCHYARD_CPU_MEMORY)`, totalBytes: budget, freeBytes: budget, measured: false });
  } else {
    const total = sane(n.host?.memTotalBytes);
    const used = sane(n.host?.memUsedBytes);
    pools.push({
      key: cpuPool(n.name), label: `the available memory of ${n.name}`, totalBytes: total,
      freeBytes: total === null || used === null ? null : Math.max(0, total - used), measured: true,
    });
  }
  return pools;
}

/** GPU memory each of its processes holds, by GPU index (telemetry's per-process figures). */
function measuredPerGpu(n: NodeView | undefined, pids: readonly number[]): Map<number, number> {
  const out = new Map<number, number>();
  if (!n || pids.length === 0) return out;
  const wanted = new Set(pids);
  const indexOf = new Map(n.gpus.map((g) => [g.uuid, g.index]));
  for (const p of n.processes) {
    const index = indexOf.get(p.gpuUuid);
    const used = sane(p.usedMiB);
    if (index === undefined || used === null || !wanted.has(p.pid)) continue;
    out.set(index, (out.get(index) ?? 0) + used * MiB);
  }
  return out;
}

function holderOf(d: LedgerDeployment, phase: Phase, node: NodeView | undefined, cpuMeasured: boolean): Holder {
  const { record: r, estimate } = d;
  const holds = new Map<PoolKey, number>();
  const reserves = new Map<PoolKey, number>();
  const measured = measuredPerGpu(node, r.pids);
  r.spec.gpus.forEach((index, i) => {
    const key = gpuPool(r.node, index);
    const seen = measured.get(index);
    const want = estimate?.perGpuBytes[i] ?? 0;
    if (phase === "loading") {
      holds.set(key, seen ?? 0);
      reserves.set(key, Math.max(0, want - (seen ?? 0)));
    } else holds.set(key, seen ?? (phase === "sleeping" ? 0 : want));
  });
  const cpu = cpuPool(r.node);
  if (r.spec.gpus.length === 0 && estimate) {
    holds.set(cpu, estimate.cpuBytes);
    // With a budget the estimate is counted as held from the start; measured memory shows a load only as it goes.
    if (phase === "loading" && cpuMeasured) reserves.set(cpu, estimate.cpuBytes);
  }
  // vLLM sleep level 1 keeps the weights in CPU memory (vLLM's docs: "backed up in CPU memory").
  if (phase === "sleeping" && r.spec.gpus.length > 0 && estimate) holds.set(cpu, estimate.weightsBytes);
  return { id: r.id, name: r.name, onDemand: r.onDemand !== null, phase, inFlight: d.inFlight, lastActiveAt: d.lastActiveAt, holds, reserves };
}

export interface Ledger {
  pools: Map<PoolKey, Pool>;
  holders: Holder[];
}

export function buildLedger(nodes: readonly NodeView[], deployments: readonly LedgerDeployment[]): Ledger {
  const pools = new Map<PoolKey, Pool>();
  const byName = new Map(nodes.map((n) => [n.name, n]));
  for (const n of nodes) for (const p of nodePools(n)) pools.set(p.key, p);
  const holders: Holder[] = [];
  for (const d of deployments) {
    const phase = phaseOf(d.record, d.sleeping);
    if (phase === null) continue;
    const cpu = pools.get(cpuPool(d.record.node));
    holders.push(holderOf(d, phase, byName.get(d.record.node), cpu?.measured ?? true));
  }
  // A CPU budget is spent by what runs there (by estimate): its free memory is what is left of it.
  for (const p of pools.values()) {
    if (p.measured || p.totalBytes === null) continue;
    const held = holders.reduce((s, h) => s + (h.holds.get(p.key) ?? 0), 0);
    p.freeBytes = Math.max(0, p.totalBytes - held);
  }
  return { pools, holders };
}

/** What a start of `r` on `gpus` of `node` needs per pool. */
export function needOf(node: string, gpus: readonly number[], estimate: Estimate): Map<PoolKey, number> {
  if (gpus.length === 0) return new Map([[cpuPool(node), estimate.cpuBytes]]);
  return new Map(gpus.map((g, i) => [gpuPool(node, g), estimate.perGpuBytes[i] ?? 0]));
}
