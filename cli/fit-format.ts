/** The human form of `switchyard fit`: a short table, then placement, warnings and uncertainty. */
import type { FitEstimate, FitMatrixCell } from "../protocol/fit";
import { table } from "./format";

const GiB = 1024 ** 3;
const MiB = 1024 ** 2;
/** GiB with two decimals; tiny (test) models in MiB so they do not read as zero. */
const gib = (bytes: number) => (bytes >= GiB / 2 || bytes === 0 ? `${(bytes / GiB).toFixed(2)} GiB` : `${(bytes / MiB).toFixed(1)} MiB`);
const n = (v: number) => v.toLocaleString("en-US");

export interface Placement {
  node: string;
  gpus: number[];
  verdict: FitMatrixCell["verdict"];
  headroom: number | null;
  /** How many of the fleet's GPU sets fit (fits or tight), of how many judged. */
  fitting: number;
  judged: number;
}

function fitsLine(r: FitEstimate): string {
  if (r.fits === null) return "unknown (no GPU memory given or known)";
  const max = r.maxContext === null ? "" : ` (max context ${n(r.maxContext)}${r.engine === "llamacpp" && r.parallel > 1 ? ` over ${r.parallel} slots` : ""})`;
  return `${r.fits ? "yes" : "no"}${max}`;
}

export function renderFit(model: string, r: FitEstimate, placement?: Placement | null): string {
  const head = `${model}: ${r.engine}, ${r.precision} weights, ctx ${n(r.ctx)}${r.parallel > 1 ? ` × ${r.parallel} parallel` : ""}, KV ${r.kvDtype}${r.tp > 1 ? `, TP ${r.tp}` : ""}`;
  const rows: string[][] = [
    ["weights", gib(r.weightsBytes), r.hostWeightsBytes > 0 ? `+ ${gib(r.hostWeightsBytes)} in host memory` : ""],
    ["KV cache", gib(r.kvCacheBytes), `${n(r.kvCacheTokens)} tokens`],
    ["overhead", gib(r.overheadBytes), r.engine === "llamacpp" ? "compute buffer, CUDA context" : "activations, runtime, CUDA context and graphs"],
    ["total", gib(r.totalBytes), ""],
  ];
  for (const g of r.perGpu) {
    if (g.capacityBytes > 0) rows.push([`GPU ${g.index}`, gib(g.totalBytes), `of ${gib(g.capacityBytes)} free`]);
  }
  const lines = [head, table(rows).replace(/ +$/gm, "").replace(/^/gm, "  "), `  fits      ${fitsLine(r)}`];
  if (placement) {
    const where = `${placement.node} GPU${placement.gpus.length > 1 ? "s" : ""} ${placement.gpus.join(",")}`;
    const room = placement.headroom === null ? "" : `, ${Math.round(placement.headroom * 100)} % headroom`;
    lines.push(`  best place: ${where} (${placement.verdict}${room}); ${placement.fitting} of ${placement.judged} GPU sets in the fleet fit`);
  } else if (placement === null) {
    lines.push("  best place: none of the fleet's GPU sets fits (see 'switchyard nodes' for what is free)");
  }
  for (const w of r.warnings) lines.push(`  warning: ${w}`);
  for (const u of r.uncertain) lines.push(`  uncertain: ${u}`);
  return lines.join("\n");
}
