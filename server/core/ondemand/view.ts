/** An on-demand deployment as REST clients and the dashboard see it (DeploymentView.onDemand). */
import type { OnDemandView } from "../../../protocol/ondemand";
import type { DeploymentRecord } from "../deployments/types";
import { vramOf } from "../deployments/views";
import { busyCount, isSleeping, isWarm, type OnDemandContext } from "./context";
import { idleCandidate } from "./idle-timer";
import { idleUnloadAt } from "./idle";

const MiB = 1024 ** 2;

export function onDemandView(o: OnDemandContext, r: DeploymentRecord & { onDemand: NonNullable<DeploymentRecord["onDemand"]> }): OnDemandView {
  const p = r.onDemand;
  const estimate = o.estimates.peek(r.spec, r.node, r.spec.gpus);
  const warm = isWarm(o, r);
  const sleeping = isSleeping(r);
  const measured = vramOf(o.d, r);
  const gpuBytes = measured !== null ? measured * MiB : warm ? (estimate?.perGpuBytes.reduce((s, b) => s + b, 0) ?? 0) : 0;
  const cpuBytes = warm && r.spec.gpus.length === 0 ? (estimate?.cpuBytes ?? 0) : sleeping ? (estimate?.weightsBytes ?? 0) : 0;
  return {
    idleTimeoutS: p.idleTimeoutS, loadTimeoutS: p.loadTimeoutS, unload: p.unload,
    placedAtLoad: p.node === null || p.gpus === null,
    lastRequestAt: o.leases.lastActive(r.id) ?? r.lastRequestAt,
    inFlight: o.leases.count(r.id),
    waiting: Math.max(0, busyCount(o, r.id) - o.leases.count(r.id)),
    idleUnloadAt: idleUnloadAt(idleCandidate(o, r)),
    loadingSince: o.loadingSince.get(r.id) ?? null,
    sleeping,
    estimate: estimate ? { perGpuBytes: estimate.perGpuBytes, cpuBytes: estimate.cpuBytes } : null,
    held: warm || sleeping || measured !== null ? { gpuBytes, cpuBytes } : null,
    lastLoad: o.outcomes.get(r.id) ?? null,
  };
}
