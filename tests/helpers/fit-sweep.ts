/**
 * The llama.cpp accuracy sweep, shared by tests/integration/fit-accuracy.test.ts and bench/fit.ts:
 * tiny generated GGUFs of several shapes and types (F32/F16 from the writer, Q8_0/Q4_K_M made by
 * the real llama-quantize), each served by the real llama-server (chroot) at several contexts,
 * slot counts, KV types and with flash attention on and off; its own `-lv 4` buffer figures beside
 * estimateFit(…, {backend: "cpu"}) for the same settings.
 */
import fs from "node:fs/promises";
import path from "node:path";
import type { FitEstimate } from "../../protocol/fit";
import { estimateFit } from "../../fit/estimate";
import { readGgufFacts } from "../../fit/gguf-reader";
import { hasMemoryFigures, parseLlamaMemory, type LlamaMemory } from "../../fit/llamacpp-log";
import { writeTinyLlamaGguf, type TinyLlamaOptions } from "../fixtures/gguf/writer";
import { startLlamaServer } from "./llama";
import { quantizeGguf } from "./llama-rootfs";
import { waitFor } from "./wait";

export interface SweepShape {
  name: string;
  model: TinyLlamaOptions;
  /** Made from the F32 model with llama-quantize (K-quants need rows that are multiples of 256). */
  quant?: "Q8_0" | "Q4_K_M";
}

export interface SweepRun {
  ctx: number;
  parallel: number;
  kvDtype: "f32" | "f16" | "q8_0" | "q4_0";
  flashAttention: boolean;
}

// Real models' proportions (ff ≈ 2.7–3.5 × embd, GQA, vocabularies up to 32k) at a few MB, plus one
// corner case of the graph allocator (ff = 2 × embd). Head sizes are multiples of 32 (q8_0/q4_0 KV).
export const SHAPES: readonly SweepShape[] = [
  { name: "F32 GQA 4:1", model: { layers: 2, embd: 256, heads: 4, kvHeads: 1, ff: 704, type: "f32" } },
  { name: "F16 MHA vocab 8k", model: { layers: 3, embd: 512, heads: 8, kvHeads: 8, ff: 1408, type: "f16", vocabSize: 8000 } },
  { name: "Q8_0 vocab 32k", model: { layers: 2, embd: 512, heads: 4, kvHeads: 2, ff: 1536, type: "f32", vocabSize: 32000 }, quant: "Q8_0" },
  { name: "Q4_K_M GQA 3:1", model: { layers: 2, embd: 768, heads: 6, kvHeads: 2, ff: 2048, type: "f32", vocabSize: 2000 }, quant: "Q4_K_M" },
  { name: "F16 ff=2×embd", model: { layers: 2, embd: 256, heads: 4, kvHeads: 2, ff: 512, type: "f16" } },
];

export const RUNS: readonly SweepRun[] = [
  { ctx: 1024, parallel: 1, kvDtype: "f16", flashAttention: true },
  { ctx: 8192, parallel: 4, kvDtype: "f16", flashAttention: true },
  { ctx: 4096, parallel: 2, kvDtype: "q8_0", flashAttention: true },
  { ctx: 16384, parallel: 1, kvDtype: "q4_0", flashAttention: true },
  { ctx: 4096, parallel: 3, kvDtype: "f16", flashAttention: false },
];

export interface SweepCase {
  label: string;
  shape: SweepShape;
  run: SweepRun;
}

export const CASES: readonly SweepCase[] = SHAPES.flatMap((shape) =>
  RUNS.map((run) => ({
    shape, run,
    label: `${shape.name}, -c ${run.ctx} -np ${run.parallel}, KV ${run.kvDtype}, FA ${run.flashAttention ? "on" : "off"}`,
  })),
);

export interface SweepRow extends SweepCase {
  measured: LlamaMemory;
  estimate: FitEstimate;
  /** (estimate − measured) / measured. */
  error: { weights: number; kv: number; total: number };
}

const rel = (est: number, meas: number) => (est - meas) / meas;

/** Writes (and quantizes) each shape's model once into `dir`. */
export async function prepareModels(dir: string): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  await Promise.all(SHAPES.map(async (s, i) => {
    const file = path.join(dir, `shape-${i}.gguf`);
    if (!s.quant) {
      await writeTinyLlamaGguf(file, s.model);
    } else {
      const src = path.join(dir, `shape-${i}-f32.gguf`);
      await writeTinyLlamaGguf(src, s.model);
      await quantizeGguf(src, file, s.quant);
      await fs.rm(src);
    }
    files.set(s.name, file);
  }));
  return files;
}

async function measure(c: SweepCase, file: string): Promise<SweepRow> {
  const r = c.run;
  const server = await startLlamaServer({
    model: file, via: "chroot", ctx: r.ctx, parallel: r.parallel,
    extraArgs: ["-lv", "4", "-ctk", r.kvDtype, "-ctv", r.kvDtype, "-fa", r.flashAttention ? "on" : "off", "--no-warmup"],
  });
  // /health can answer before the pipe has carried every log line: wait for the memory figures.
  const log = await waitFor("llama-server's memory figures in its log", () => {
    const text = server.logs();
    return hasMemoryFigures(text) ? text : null;
  }, 10_000, 50).finally(() => server.stop());
  const measured = parseLlamaMemory(log);
  const estimate = estimateFit(await readGgufFacts(file), {
    engine: "llamacpp", backend: "cpu", ctx: r.ctx, parallel: r.parallel, kvDtype: r.kvDtype, flashAttention: r.flashAttention,
  });
  return {
    ...c, measured, estimate,
    error: {
      weights: rel(estimate.weightsBytes + estimate.hostWeightsBytes, measured.modelBytes),
      kv: rel(estimate.kvCacheBytes, measured.kvBytes),
      total: rel(estimate.totalBytes + estimate.hostWeightsBytes, measured.totalBytes),
    },
  };
}

/** Runs every case, `concurrency` llama-servers at a time; rows in CASES order. */
export async function runSweep(files: Map<string, string>, cases: readonly SweepCase[] = CASES, concurrency = 2): Promise<SweepRow[]> {
  const rows: SweepRow[] = new Array(cases.length);
  let next = 0;
  const worker = async () => {
    while (next < cases.length) {
      const i = next++;
      const c = cases[i]!;
      rows[i] = await measure(c, files.get(c.shape.name)!);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return rows;
}
