/**
 * Which nodes, GPUs, routes, backends and deployments a rule watches. Names match exactly or by
 * `*` wildcards ("gpu-box-*"); an absent list watches everything.
 */
export interface Scope {
  nodes?: string[];
  gpus?: number[];
  routes?: string[];
  backends?: string[];
  deployments?: string[];
}

const compiled = new Map<string, RegExp>();

function patternOf(p: string): RegExp {
  let re = compiled.get(p);
  if (!re) {
    re = new RegExp(`^${p.split("*").map((s) => s.replace(/[.+?^${}()|[\]\\]/g, "\\$&")).join(".*")}$`);
    if (compiled.size > 10_000) compiled.clear();
    compiled.set(p, re);
  }
  return re;
}

export function matchesName(patterns: readonly string[] | undefined, name: string | null | undefined): boolean {
  if (!patterns || patterns.length === 0) return true;
  if (name === null || name === undefined) return false;
  return patterns.some((p) => (p.includes("*") ? patternOf(p).test(name) : p === name));
}

export function matchesGpu(gpus: readonly number[] | undefined, index: number): boolean {
  return !gpus || gpus.length === 0 || gpus.includes(index);
}
