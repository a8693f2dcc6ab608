/**
 * Which deployments hold one GPU's memory, and which on-demand ones could load there now (their
 * estimate fits the GPU's free memory plus what its idle on-demand deployments would give back).
 * Pure: the node, the GPU and the deployments list in, two short lists out (the GPU card shows them).
 */
import type { DeploymentView } from "../../protocol/deployments";
import type { NodeView } from "../../protocol/live";
import type { Gpu } from "../../protocol/telemetry";

const MiB = 1024 ** 2;

export interface GpuHolders {
  holding: Array<{ name: string; bytes: number | null; onDemand: boolean; sleeping: boolean }>;
  couldLoad: Array<{ name: string; needBytes: number; evicting: boolean }>;
}

export const NO_HOLDERS: GpuHolders = { holding: [], couldLoad: [] };

/** What `d` holds on `gpu` (its measured memory spread over its GPUs), or null when unknown. */
function heldOn(d: DeploymentView): number | null {
  const bytes = d.vramMiB !== null ? d.vramMiB * MiB : (d.onDemand?.held?.gpuBytes ?? null);
  return bytes === null ? null : bytes / Math.max(1, d.gpus.length);
}

export function gpuHolders(node: Pick<NodeView, "name">, gpu: Pick<Gpu, "index" | "memTotalMiB" | "memUsedMiB">, deployments: readonly DeploymentView[]): GpuHolders {
  const here = deployments.filter((d) => d.node === node.name && d.gpus.includes(gpu.index) && d.desired === "running");
  const resident = here.filter((d) => (d.state !== "standby" && d.state !== "failed" && d.state !== "stopped") || d.onDemand?.sleeping);
  const holding = resident.map((d) => ({ name: d.name, bytes: heldOn(d), onDemand: d.onDemand !== undefined, sleeping: d.onDemand?.sleeping ?? false }));
  const free = gpu.memTotalMiB !== null && gpu.memUsedMiB !== null ? Math.max(0, gpu.memTotalMiB - gpu.memUsedMiB) * MiB : null;
  const evictable = resident.filter((d) => d.onDemand && d.onDemand.inFlight === 0).reduce((s, d) => s + (heldOn(d) ?? 0), 0);
  const couldLoad: GpuHolders["couldLoad"] = [];
  for (const d of here) {
    if (!d.onDemand || d.state !== "standby" || d.onDemand.sleeping || !d.onDemand.estimate || free === null) continue;
    const need = d.onDemand.estimate.perGpuBytes[d.gpus.indexOf(gpu.index)] ?? 0;
    if (need <= free) couldLoad.push({ name: d.name, needBytes: need, evicting: false });
    else if (need <= free + evictable) couldLoad.push({ name: d.name, needBytes: need, evicting: true });
  }
  return { holding, couldLoad };
}
