/**
 * Where a deployment runs: the node and GPUs it was given (checked against the node's live GPUs),
 * or chosen from live free VRAM: the GPUs with the fewest Switchyard deployments on them and the
 * most free memory, on the online node where those add up to the most. Pure: the fleet's views
 * come in, ordered candidates go out; the fit estimate (when there is one) picks among them.
 */
import type { Engine } from "../../../protocol/deployments";
import type { NodeView } from "../../../protocol/live";
import { ServiceError } from "../errors";

export type GpuChoice = "all" | "none" | number[] | undefined;

export interface PlacementRequest {
  engine: Engine;
  node?: string;
  gpus: GpuChoice;
  /** GPUs wanted when they are chosen automatically (tensor-parallel size). */
  count?: number;
}

export interface Candidate {
  node: string;
  gpus: number[];
  /** Free MiB of each chosen GPU, total MiB of each, in the same order; null where nvidia-smi does not say. */
  freeMiB: Array<number | null>;
  totalMiB: Array<number | null>;
}

/** `"0,1"`, `"all"`, `"none"`, `[0, 1]` → choice; throws a bad_request naming the problem. */
export function parseGpuChoice(input: string | number[] | undefined): GpuChoice {
  if (input === undefined) return undefined;
  if (Array.isArray(input)) return [...new Set(input)];
  const text = input.trim().toLowerCase();
  if (text === "" || text === "auto") return undefined;
  if (text === "all" || text === "none") return text;
  const parts = text.split(",").map((p) => p.trim());
  if (!parts.every((p) => /^\d+$/.test(p))) {
    throw new ServiceError("bad_request", `--gpus '${input}' must be GPU indices like 0,1, or 'all', or 'none'`);
  }
  return [...new Set(parts.map(Number))];
}

/** [0,1,2,3] → "0–3"; [0,2,5] → "0, 2, 5". */
export function formatIndices(indices: number[]): string {
  const s = [...indices].sort((a, b) => a - b);
  if (s.length === 0) return "none";
  const contiguous = s.length > 2 && s.every((v, i) => i === 0 || v === s[i - 1]! + 1);
  return contiguous ? `${s[0]}–${s[s.length - 1]}` : s.join(", ");
}

const needsGpu = (engine: Engine) => engine !== "llamacpp";

/** Free MiB, or null when the GPU's memory is unknown (never 0: unknown is not full). */
function freeOf(g: NodeView["gpus"][number]): number | null {
  if (g.memTotalMiB === null || g.memUsedMiB === null) return null;
  return Math.max(0, g.memTotalMiB - g.memUsedMiB);
}

/** The sum, or null when any part is unknown. */
export function sumKnown(xs: ReadonlyArray<number | null>): number | null {
  let sum = 0;
  for (const x of xs) {
    if (x === null) return null;
    sum += x;
  }
  return sum;
}

/**
 * More free memory first. Unknown memory can be compared with nothing: it ranks after GPUs known
 * to have free memory and before GPUs known to be full, never as full itself.
 */
function byFree(a: number | null, b: number | null): number {
  const tier = (x: number | null) => (x === null ? 1 : x > 0 ? 0 : 2);
  return tier(a) - tier(b) || (a !== null && b !== null ? b - a : 0);
}

/** Candidates on one node; throws when the request cannot run there at all. */
function onNode(node: NodeView, req: PlacementRequest, claims: ReadonlyMap<string, number>): Candidate[] {
  const pick = (indices: number[]): Candidate => {
    const gpus = indices.map((i) => node.gpus.find((g) => g.index === i)!);
    return { node: node.name, gpus: indices, freeMiB: gpus.map(freeOf), totalMiB: gpus.map((g) => g.memTotalMiB) };
  };
  const have = node.gpus.map((g) => g.index);
  if (req.gpus === "none") return [pick([])];
  if (req.gpus === "all") {
    if (have.length === 0) throw new ServiceError("bad_request", `node ${node.name} has no GPUs: deploy with --gpus none`);
    return [pick(have)];
  }
  if (Array.isArray(req.gpus)) {
    for (const i of req.gpus) {
      if (!have.includes(i)) throw new ServiceError("bad_request", `GPU ${i} is not on node ${node.name} (it has ${have.length ? formatIndices(have) : "no GPUs"})`);
    }
    return [pick(req.gpus)];
  }
  if (have.length === 0) {
    if (needsGpu(req.engine)) {
      throw new ServiceError("bad_request", `node ${node.name} has no GPUs and ${req.engine} needs one: pick another --node, or --gpus none for a CPU build`);
    }
    return [pick([])];
  }
  const count = req.count ?? 1;
  if (count > have.length) throw new ServiceError("bad_request", `${count} GPUs are needed, node ${node.name} has ${have.length}`);
  const ranked = [...node.gpus].sort((a, b) =>
    (claims.get(`${node.name}/${a.index}`) ?? 0) - (claims.get(`${node.name}/${b.index}`) ?? 0) || byFree(freeOf(a), freeOf(b)) || a.index - b.index);
  // The best set first, then the next ones, so a fit estimate can move past a set that is too small.
  const out: Candidate[] = [];
  for (let start = 0; start + count <= ranked.length; start++) out.push(pick(ranked.slice(start, start + count).map((g) => g.index).sort((a, b) => a - b)));
  return out;
}

/**
 * Ordered candidates. `claims` counts active Switchyard deployments per `node/gpuIndex`, so two
 * deploys in a row spread out even before telemetry shows the first one's memory.
 */
export function placementCandidates(nodes: NodeView[], req: PlacementRequest, claims: ReadonlyMap<string, number> = new Map()): Candidate[] {
  if (req.node) {
    const node = nodes.find((n) => n.name === req.node);
    if (!node) throw new ServiceError("bad_request", `no node named '${req.node}' (known: ${nodes.map((n) => n.name).join(", ") || "none yet"})`);
    if (!node.online) throw new ServiceError("unavailable", `node ${node.name} is offline: start its agent (switchyard-agent) and try again`);
    if (node.facts?.simulated) throw new ServiceError("bad_request", `node ${node.name} is a simulated demo box and runs no containers: pick a real --node`);
    return onNode(node, req, claims);
  }
  // Demo boxes replay captured GPUs: they are never chosen to run anything.
  const online = nodes.filter((n) => n.online && !n.facts?.simulated);
  if (online.length === 0) {
    const demo = nodes.some((n) => n.online && n.facts?.simulated) ? " (demo boxes run no containers)" : "";
    throw new ServiceError("unavailable", `no node is online: start an agent (switchyard-agent) on a GPU box first${demo}`);
  }
  const all: Candidate[] = [];
  const problems: string[] = [];
  for (const n of online) {
    try {
      all.push(...onNode(n, req, claims));
    } catch (err) {
      problems.push((err as Error).message);
    }
  }
  if (all.length === 0) throw new ServiceError("bad_request", problems.length === 1 ? problems[0]! : `no online node can run it: ${problems.join("; ")}`);
  const claimed = (c: Candidate) => c.gpus.reduce((n, i) => n + (claims.get(`${c.node}/${i}`) ?? 0), 0);
  return all.sort((a, b) => claimed(a) - claimed(b) || byFree(sumKnown(a.freeMiB), sumKnown(b.freeMiB)) || a.node.localeCompare(b.node));
}
