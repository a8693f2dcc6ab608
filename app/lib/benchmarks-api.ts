/** The Benchmarks page's calls to the REST API (`/api/benchmarks`), through the dashboard's one fetch helper. */
import type { BenchmarkRequest, BenchmarkView } from "../../protocol/benchmarks";
import { apiFetch } from "./api";

const one = (id: string) => `/api/benchmarks/${encodeURIComponent(id)}`;

export const benchmarksApi = {
  list: () => apiFetch<BenchmarkView[]>("/api/benchmarks?limit=200"),
  start: (body: BenchmarkRequest) => apiFetch<BenchmarkView>("/api/benchmarks", { method: "POST", body: JSON.stringify(body) }),
  cancel: (id: string) => apiFetch<BenchmarkView>(`${one(id)}/cancel`, { method: "POST" }),
  remove: (id: string) => apiFetch<void>(one(id), { method: "DELETE" }),
  /** Server-sent events: progress, run (a finished level), end. */
  eventsUrl: (id: string) => `${one(id)}/events`,
  exportUrl: (id: string, format: "csv" | "json") => `${one(id)}?format=${format}`,
  exportAllUrl: (format: "csv" | "json") => `/api/benchmarks?limit=1000&format=${format}`,
};

export const benchmarkKeys = { list: ["benchmarks"] as const };

/** "1, 4,16" → [1, 4, 16]; null when it is not a list of whole numbers. */
export function parseLevels(text: string): number[] | null {
  const parts = text.split(/[\s,]+/).filter(Boolean);
  if (parts.length === 0 || parts.some((p) => !/^\d+$/.test(p))) return null;
  return parts.map(Number);
}

/** Relative change from a to b in percent, null without both. */
export function deltaPct(a: number | null, b: number | null): number | null {
  if (a === null || b === null || a === 0) return null;
  return ((b - a) / a) * 100;
}
