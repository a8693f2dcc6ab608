/** Node and GPU conditions over the live fleet: node-offline, gpu-temperature, gpu-memory, disk-usage. */
import type { NodeView } from "../../../../protocol/live";
import type { Observation } from "../engine";
import type { AlertRule } from "../rules";
import { matchesGpu, matchesName } from "../scope";
import type { AlertInputs } from "./inputs";

const GIB = 1024;
const fmt = (n: number, d = 1) => (Math.round(n * 10 ** d) / 10 ** d).toString();

/** The processes holding a GPU's memory, largest first, named after their deployment where they belong to one. */
export function memoryHolders(node: NodeView, gpuUuid: string, inputs: Pick<AlertInputs, "deploymentOfPid">, most = 3): string {
  const procs = node.processes.filter((p) => p.gpuUuid === gpuUuid).sort((a, b) => (b.usedMiB ?? 0) - (a.usedMiB ?? 0));
  if (procs.length === 0) return "";
  const shown = procs.slice(0, most).map((p) => {
    const dep = inputs.deploymentOfPid(node.name, p.pid);
    const mem = p.usedMiB === null ? "" : ` ${fmt(p.usedMiB / GIB)} GiB`;
    return `${p.name.slice(0, 80)} (pid ${p.pid}${dep ? `, deployment ${dep}` : ""})${mem}`;
  });
  const more = procs.length > most ? ` and ${procs.length - most} more` : "";
  return `held by ${shown.join(", ")}${more}`;
}

export function nodeOffline(rule: AlertRule, inputs: AlertInputs): Observation[] {
  const out: Observation[] = [];
  for (const n of inputs.nodes) {
    if (n.online || !matchesName(rule.scope.nodes, n.name)) continue;
    const since = n.lastSeen ? `; last heard from at ${new Date(n.lastSeen).toISOString()}` : "";
    out.push({ key: n.name, subject: { node: n.name }, message: `node ${n.name} is offline: its agent is not connected${since}` });
  }
  return out;
}

/** Every GPU of every online node in the rule's scope; `message` says why it is active, or null. */
function overGpus(rule: AlertRule, inputs: AlertInputs, message: (n: NodeView, g: NodeView["gpus"][number]) => string | null): Observation[] {
  const out: Observation[] = [];
  for (const n of inputs.nodes) {
    if (!n.online || !matchesName(rule.scope.nodes, n.name)) continue;
    for (const g of n.gpus) {
      if (!matchesGpu(rule.scope.gpus, g.index)) continue;
      const text = message(n, g);
      if (text !== null) out.push({ key: `${n.name}/gpu${g.index}`, subject: { node: n.name, gpu: g.index }, message: text });
    }
  }
  return out;
}

export function gpuTemperature(rule: AlertRule, inputs: AlertInputs): Observation[] {
  const above = rule.above!;
  return overGpus(rule, inputs, (n, g) => {
    if (g.tempC === null || g.tempC <= above) return null;
    const holders = memoryHolders(n, g.uuid, inputs, 1);
    return `GPU ${g.index} (${g.name}) on ${n.name} is at ${g.tempC} °C, above ${above} °C${g.utilGpuPct !== null ? `, ${g.utilGpuPct}% busy` : ""}${holders ? `; ${holders.replace(/^held by/, "busiest process:")}` : ""}`;
  });
}

export function gpuMemory(rule: AlertRule, inputs: AlertInputs): Observation[] {
  const above = rule.above!;
  return overGpus(rule, inputs, (n, g) => {
    if (g.memUsedMiB === null || !g.memTotalMiB) return null;
    const pct = (g.memUsedMiB / g.memTotalMiB) * 100;
    if (pct <= above) return null;
    const holders = memoryHolders(n, g.uuid, inputs);
    return `GPU ${g.index} (${g.name}) on ${n.name} has ${fmt(pct)}% of its memory in use (${fmt(g.memUsedMiB / GIB)} of ${fmt(g.memTotalMiB / GIB)} GiB), above ${above}%${holders ? `; ${holders}` : ""}`;
  });
}

export function diskUsage(rule: AlertRule, inputs: AlertInputs): Observation[] {
  const above = rule.above!;
  const out: Observation[] = [];
  for (const n of inputs.nodes) {
    const used = n.host?.diskUsedBytes;
    const total = n.host?.diskTotalBytes;
    if (!n.online || used == null || !total || !matchesName(rule.scope.nodes, n.name)) continue;
    const pct = (used / total) * 100;
    if (pct <= above) continue;
    out.push({
      key: n.name, subject: { node: n.name },
      message: `the disk of ${n.name} is ${fmt(pct)}% full (${fmt(used / 1e9)} of ${fmt(total / 1e9)} GB), above ${above}%`,
    });
  }
  return out;
}
