/**
 * Pure helpers for the fit views: verdict labels and colours, the breakdown bar's segments, the
 * matrix grouped by node. Shared by the fit page and the deploy form's verdict.
 */
import type { Engine } from "../../../protocol/deployments";
import type { FitEstimate, FitKvDtype, FitMatrixCell, FitRequest, FitVerdict } from "../../../protocol/fit";

export const VERDICTS: Record<FitVerdict, { label: string; color: string; hint: string }> = {
  fits: { label: "fits", color: "var(--ok)", hint: "fits with room to spare" },
  tight: { label: "tight", color: "var(--warn)", hint: "fits, with little headroom" },
  no: { label: "doesn't fit", color: "var(--bad)", hint: "does not fit in the free memory" },
  offline: { label: "offline", color: "var(--faint)", hint: "the node is offline" },
  unsupported: { label: "n/a", color: "var(--faint)", hint: "the engine cannot split the model over this many GPUs" },
  unknown: { label: "unknown", color: "var(--faint)", hint: "the GPU reports no memory size" },
};

export interface Segment {
  key: "weights" | "kv" | "overhead" | "free";
  label: string;
  bytes: number;
  /** Share of the bar (capacity, or the need when it exceeds capacity), 0–100. */
  pct: number;
  color: string;
}

/** Weights, KV cache and overhead against capacity, summed over the set's GPUs. */
export function breakdownSegments(e: Pick<FitEstimate, "weightsBytes" | "kvCacheBytes" | "overheadBytes">, capacityBytes: number): { segments: Segment[]; over: boolean } {
  const need = e.weightsBytes + e.kvCacheBytes + e.overheadBytes;
  const scale = Math.max(need, capacityBytes, 1);
  const seg = (key: Segment["key"], label: string, bytes: number, color: string): Segment => ({ key, label, bytes, pct: (bytes / scale) * 100, color });
  const segments = [
    seg("weights", "weights", e.weightsBytes, "var(--vram)"),
    seg("kv", "KV cache", e.kvCacheBytes, "var(--accent)"),
    seg("overhead", "overhead", e.overheadBytes, "var(--power)"),
  ];
  if (capacityBytes > need) segments.push(seg("free", "free", capacityBytes - need, "var(--track)"));
  return { segments, over: need > capacityBytes };
}

export interface NodeGroup {
  node: string;
  online: boolean;
  cells: { cell: FitMatrixCell; index: number }[];
}

export function groupByNode(cells: readonly FitMatrixCell[]): NodeGroup[] {
  const groups = new Map<string, NodeGroup>();
  cells.forEach((cell, index) => {
    const g = groups.get(cell.node) ?? { node: cell.node, online: cell.online, cells: [] };
    g.cells.push({ cell, index });
    groups.set(cell.node, g);
  });
  return [...groups.values()];
}

/** 131072 → "131k", 4096 → "4,096", null → "—". */
export function formatTokens(n: number | null | undefined): string {
  if (n === null || n === undefined) return "—";
  if (n >= 100_000) return `${Math.round(n / 1000)}k`;
  return n.toLocaleString("en-US");
}

/** "0–3", "2": a set of contiguous GPU indices. */
export function formatSet(gpus: readonly number[]): string {
  return gpus.length > 1 ? `${gpus[0]}–${gpus[gpus.length - 1]}` : String(gpus[0] ?? "");
}

export const sum = (xs: readonly (number | null)[]) => xs.reduce<number>((s, x) => s + (x ?? 0), 0);

const KV: readonly string[] = ["f32", "f16", "bf16", "fp8", "q8_0", "q4_0"];
const posInt = (s: string) => (/^\d+$/.test(s.trim()) && Number(s) > 0 ? Number(s) : undefined);

/** Form text fields → a fit request (blank or unusable fields left to the server's defaults). */
export function toFitRequest(v: { model: string; engine: Engine | ""; ctx: string; parallel: string; kvDtype: string; util: string }): FitRequest | null {
  if (!v.model.trim()) return null;
  const util = Number(v.util);
  // Engines name KV types their own way (vLLM's fp8_e4m3): the estimate only needs the width.
  const kv = v.kvDtype.trim().toLowerCase().replace(/^fp8.*$/, "fp8");
  return {
    model: v.model.trim(),
    ...(v.engine ? { engine: v.engine } : {}),
    ...(posInt(v.ctx) ? { ctx: posInt(v.ctx) } : {}),
    ...(posInt(v.parallel) ? { parallel: posInt(v.parallel) } : {}),
    ...(KV.includes(kv) ? { kvDtype: kv as FitKvDtype } : {}),
    ...(v.util.trim() && util > 0 && util <= 1 ? { util } : {}),
  };
}

/** The deploy form's fields (app/lib/deploy-form.ts) → the fit request for its verdict. */
export function deployFitRequest(f: { engine: Engine; model: string; ctx: string; parallel: string; util: string; kvCacheDtype: string }): FitRequest | null {
  return toFitRequest({ model: f.model, engine: f.engine, ctx: f.ctx, parallel: f.parallel, kvDtype: f.kvCacheDtype, util: f.util });
}
