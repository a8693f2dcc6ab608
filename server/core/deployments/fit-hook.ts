/**
 * The hook to the VRAM fit estimator (server/core/fit/, built alongside): placement asks it
 * whether a model fits a candidate GPU set. It is loaded when present and optional everywhere:
 * without it, or when it cannot judge a model (facts unknown), placement goes by free VRAM alone.
 *
 * What it uses from the fit module, by name: `estimateFit(facts, options)` (estimate.ts), and to
 * get facts `readGgufFacts(file)` (gguf-reader.ts), `readHfFacts(dir)` (hf-config.ts),
 * `catalogFacts(repoId)` (catalog.ts). Model files are read only when they are on this machine.
 */
import fs from "node:fs";
import type { Engine, ModelRef } from "../../../protocol/deployments";
import type { Logger } from "../../../lib/logger";

export interface FitQuery {
  engine: Engine;
  model: ModelRef;
  ctx?: number;
  parallel?: number;
  kvDtype?: string;
  util?: number;
  tp: number;
  gpus: Array<{ index: number; totalBytes: number; freeBytes: number }>;
}

export interface FitAnswer {
  fits: boolean | null;
  totalBytes: number;
}

export type FitEstimator = (q: FitQuery) => Promise<FitAnswer | null>;

type AnyFn = (...args: unknown[]) => unknown;
type FitModule = Record<string, unknown>;

// Computed specifiers: the build must not depend on the fit module's files existing.
async function tryImport(spec: string): Promise<FitModule | null> {
  try {
    return (await import(/* @vite-ignore */ spec)) as FitModule;
  } catch {
    return null;
  }
}

const fn = (mod: FitModule | null | undefined, name: string): AnyFn | null => (typeof mod?.[name] === "function" ? (mod[name] as AnyFn) : null);

export async function loadFitEstimator(log: Logger): Promise<FitEstimator | null> {
  const base = "../fit/";
  const [estimate, gguf, hf, catalog] = await Promise.all(["estimate", "gguf-reader", "hf-config", "catalog"].map((m) => tryImport(base + m)));
  const estimateFit = fn(estimate, "estimateFit");
  if (!estimateFit) {
    log.info("no fit estimator found: placement goes by free VRAM alone");
    return null;
  }
  const readGguf = fn(gguf, "readGgufFacts");
  const readHf = fn(hf, "readHfFacts");
  const fromCatalog = fn(catalog, "catalogFacts");

  const factsFor = async (m: ModelRef): Promise<unknown> => {
    if (m.kind === "hf") return fromCatalog ? fromCatalog(m.repo) : null;
    if (!fs.existsSync(m.path)) return null; // on another node: not readable from here
    const reader = m.kind === "gguf" ? readGguf : readHf;
    return reader ? await reader(m.path) : null;
  };

  return async (q) => {
    if (q.gpus.length === 0) return null;
    try {
      const facts = await factsFor(q.model);
      if (!facts) return null;
      const options: Record<string, unknown> = {
        engine: q.engine, tp: q.tp,
        gpuMem: q.gpus.map((g) => g.totalBytes), freeBytes: q.gpus.map((g) => g.freeBytes),
        ...(q.ctx ? { ctx: q.ctx } : {}), ...(q.parallel ? { parallel: q.parallel } : {}),
        ...(q.kvDtype ? { kvDtype: q.kvDtype } : {}), ...(q.util ? { util: q.util } : {}),
      };
      const r = estimateFit(facts, options) as { fits?: boolean | null; totalBytes?: number };
      return { fits: r.fits ?? null, totalBytes: r.totalBytes ?? 0 };
    } catch (err) {
      log.debug({ err: (err as Error).message }, "fit estimate unavailable for this deploy");
      return null;
    }
  };
}
