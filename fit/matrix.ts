/**
 * The fit matrix: one model, engine and options against every GPU and GPU set of every node, each
 * judged on its MEASURED free memory (total − what every process holds, from live telemetry), so
 * VRAM that other programs hold counts. Sets are contiguous runs of 1, 2, 4, 8… GPUs of one node;
 * vLLM and SGLang split them by tensor parallelism (TP = set size), llama.cpp by layers.
 * Pure: node views in, cells out.
 */
import type { FitMatrixCell, FitVerdict } from "../protocol/fit";
import type { Gpu } from "../protocol/telemetry";
import { estimateFit, type FitResult } from "./estimate";
import { FitError } from "./errors";
import type { ModelFacts } from "./model-facts";
import type { FitOptionsInput } from "./options";

const MiB = 1024 ** 2;

/** A fit with less spare room than this fraction is "tight". */
export const TIGHT_BELOW = 0.1;

export interface MatrixNode {
  name: string;
  online: boolean;
  gpus: Pick<Gpu, "index" | "name" | "memTotalMiB" | "memUsedMiB">[];
}

/** Options for every cell; the GPU fields are the matrix's to fill. */
export type MatrixOptions = Omit<FitOptionsInput, "gpuMem" | "freeBytes" | "gpuIndices" | "tp">;

/** Contiguous index runs of 1, 2, 4, 8… GPUs (sorted by index; a gap in the indices breaks a run). */
export function gpuSets(indices: readonly number[]): number[][] {
  const sorted = [...indices].sort((a, b) => a - b);
  const out: number[][] = [];
  for (let size = 1; size <= sorted.length; size *= 2) {
    for (let start = 0; start + size <= sorted.length; start++) {
      const set = sorted.slice(start, start + size);
      if (set.every((v, i) => i === 0 || v === set[i - 1]! + 1)) out.push(set);
    }
  }
  return out;
}

/**
 * Spare room: llama.cpp — the smallest GPU's free memory left after it, as a fraction of that
 * memory; vLLM/SGLang fill their share of the GPU by design, so there it is the KV pool beyond
 * the context asked for.
 */
export function headroomOf(r: FitResult): number | null {
  if (r.fits === null) return null;
  if (r.engine !== "llamacpp") return r.kvCacheTokens > 0 ? 1 - (r.ctx * r.parallel) / r.kvCacheTokens : 0;
  const spare = r.perGpu.map((g) => (g.capacityBytes > 0 ? (g.capacityBytes - g.totalBytes) / g.capacityBytes : 0));
  return Math.min(...spare);
}

export function verdictOf(r: FitResult, tightBelow = TIGHT_BELOW): { verdict: FitVerdict; headroom: number | null } {
  const headroom = headroomOf(r);
  if (r.fits !== true) return { verdict: "no", headroom };
  return { verdict: headroom !== null && headroom < tightBelow ? "tight" : "fits", headroom };
}

function cellFor(facts: ModelFacts, options: MatrixOptions, node: MatrixNode, set: number[], tightBelow: number): FitMatrixCell {
  const gpus = set.map((i) => node.gpus.find((g) => g.index === i)!);
  const totalBytes = gpus.map((g) => (g.memTotalMiB === null ? null : g.memTotalMiB * MiB));
  // nvidia-smi's used memory counts every process on the GPU, Switchyard's own deployments too.
  const freeBytes = gpus.map((g) => (g.memTotalMiB === null ? null : Math.max(0, g.memTotalMiB - (g.memUsedMiB ?? 0)) * MiB));
  const base: FitMatrixCell = {
    node: node.name, online: node.online, gpus: set, gpuNames: gpus.map((g) => g.name), totalBytes, freeBytes, tp: set.length,
    verdict: "unknown", maxContext: null, headroom: null, reason: null, estimate: null,
  };
  if (totalBytes.some((t) => t === null)) return { ...base, reason: "the GPU reports no memory size" };
  const unknownUse = gpus.some((g) => g.memUsedMiB === null);
  try {
    const estimate = estimateFit(facts, {
      ...options, tp: set.length, gpuIndices: set,
      gpuMem: totalBytes as number[],
      // A GPU with no free memory at all still gets an answer ("no"), not a schema error.
      freeBytes: (freeBytes as number[]).map((f) => Math.max(1, f)),
    });
    const { verdict, headroom } = verdictOf(estimate, tightBelow);
    const reason = verdict === "no" ? (estimate.warnings.find((w) => /refuse|needs|no memory|Not enough|fewer than|offloads/.test(w)) ?? "does not fit") : null;
    return {
      ...base, estimate, headroom, maxContext: estimate.maxContext,
      verdict: node.online ? verdict : "offline",
      reason: node.online ? (unknownUse && verdict !== "no" ? "used memory unknown: judged on the total" : reason) : `node ${node.name} is offline: judged on its last reported free memory`,
    };
  } catch (err) {
    if (err instanceof FitError && err.reason === "invalid_options") return { ...base, verdict: "unsupported", reason: err.message };
    throw err;
  }
}

export interface Matrix {
  cells: FitMatrixCell[];
  best: number | null;
}

const RANK: Partial<Record<FitVerdict, number>> = { fits: 0, tight: 1 };

/** Index of the best place: an online set that fits before a tight one, fewest GPUs, most headroom. */
export function bestCell(cells: readonly FitMatrixCell[]): number | null {
  let best: number | null = null;
  cells.forEach((c, i) => {
    const rank = RANK[c.verdict];
    if (rank === undefined) return;
    if (best === null) return void (best = i);
    const b = cells[best]!;
    const better = rank - RANK[b.verdict]! || c.gpus.length - b.gpus.length || (b.headroom ?? 0) - (c.headroom ?? 0);
    if (better < 0) best = i;
  });
  return best;
}

/** Every node's GPU sets, and the best place among them. */
export function fitMatrix(facts: ModelFacts, options: MatrixOptions, nodes: readonly MatrixNode[], tightBelow = TIGHT_BELOW): Matrix {
  const cells: FitMatrixCell[] = [];
  for (const node of [...nodes].sort((a, b) => a.name.localeCompare(b.name))) {
    for (const set of gpuSets(node.gpus.map((g) => g.index))) cells.push(cellFor(facts, options, node, set, tightBelow));
  }
  return { cells, best: bestCell(cells) };
}
