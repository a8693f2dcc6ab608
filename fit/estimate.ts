/**
 * estimateFit: model facts + options → the contract's fit JSON. Pure: no I/O, no clock.
 * Validates the options against the model (TP must split the heads, the KV dtype must be one
 * the engine has), then hands the numbers to the engine's rule.
 */
import type { FitEstimate } from "../protocol/fit";
import { estimateLlamacpp } from "./engines/llamacpp";
import { estimateSglang } from "./engines/sglang";
import type { EngineEstimate, EngineInput, Gpu } from "./engines/types";
import { estimateVllm } from "./engines/vllm";
import { FitError } from "./errors";
import { kvBytesPerElement, kvLayout, type KvDtype } from "./kv-cache";
import type { ModelFacts } from "./model-facts";
import { parseFitOptions, type Engine, type FitOptions, type FitOptionsInput } from "./options";
import { checkpointQuantNames, ggufPresets, resolveQuant, type QuantSpec } from "./quant";
import { estimateWeights } from "./weights";

/** The contract's fit JSON and its additive fields; the wire type lives in protocol/fit.ts. */
export type FitResult = FitEstimate;

const ENGINE_KV: Record<Engine, readonly KvDtype[]> = {
  vllm: ["auto", "f16", "bf16", "fp8", "f32"],
  sglang: ["auto", "f16", "bf16", "fp8", "f32"],
  llamacpp: ["auto", "f32", "f16", "bf16", "q8_0", "q4_0"],
};

const fail = (message: string, details?: Record<string, unknown>) => new FitError("invalid_options", message, details);

function resolveKvDtype(engine: Engine, kv: KvDtype, f: ModelFacts): Exclude<KvDtype, "auto"> {
  if (!ENGINE_KV[engine].includes(kv)) {
    throw fail(`${engine} has no ${kv} KV cache; it takes ${ENGINE_KV[engine].join(", ")}`);
  }
  // ggml stores q8_0/q4_0 caches in blocks of 32 along the head dimension.
  const head = f.kvLoraRank ?? f.headDimK;
  if ((kv === "q8_0" || kv === "q4_0") && head !== null && head % 32 !== 0) {
    throw fail(`a ${kv} KV cache needs a head size divisible by 32; this model's is ${head}`);
  }
  if (kv !== "auto") return kv;
  // vLLM/SGLang "auto" caches in the model's activation dtype; llama.cpp defaults to f16.
  if (engine === "llamacpp") return "f16";
  return f.dtype === "f16" || f.dtype === "float16" || f.dtype === "fp16" ? "f16" : f.dtype === "f32" || f.dtype === "float32" ? "f32" : "bf16";
}

function resolveQuantOption(name: string | undefined): QuantSpec | null {
  if (name === undefined) return null;
  const q = resolveQuant(name);
  if (!q) throw fail(`unknown quantization "${name}": use a GGUF type (${ggufPresets().join(", ")}) or a checkpoint method (${checkpointQuantNames().join(", ")})`);
  return q;
}

function checkTp(engine: Engine, tp: number, f: ModelFacts): void {
  if (engine === "llamacpp" || tp === 1) return;
  if (f.heads !== null && f.heads % tp !== 0) throw fail(`--tp ${tp} does not divide the model's ${f.heads} attention heads; use a divisor of ${f.heads}`);
  const kv = typeof f.kvHeads === "number" ? f.kvHeads : null;
  if (kv !== null && kv > 0 && kv % tp !== 0 && tp % kv !== 0) throw fail(`--tp ${tp} cannot split the model's ${kv} KV heads (needs ${kv} % tp = 0 or tp % ${kv} = 0)`);
}

function resolveGpus(o: FitOptions, tp: number, engine: Engine): Gpu[] | null {
  if (!o.gpuMem) return null;
  let totals = o.gpuMem;
  let free = o.freeBytes;
  if (totals.length === 1 && tp > 1) {
    totals = new Array<number>(tp).fill(totals[0]!);
    free = free ? new Array<number>(tp).fill(free[0]!) : undefined;
  }
  if (engine !== "llamacpp" && totals.length !== tp) {
    throw fail(`--tp ${tp} uses ${tp} GPUs but ${totals.length} GPU sizes were given: give one size per GPU the deployment uses`);
  }
  if (o.gpuIndices && o.gpuIndices.length !== totals.length) {
    throw fail(`gpuIndices names ${o.gpuIndices.length} GPUs but the deployment uses ${totals.length}`);
  }
  return totals.map((totalBytes, i) => ({ index: o.gpuIndices?.[i] ?? i, totalBytes, capacityBytes: free?.[i] ?? totalBytes }));
}

const RULES: Record<Engine, (i: EngineInput) => EngineEstimate> = { vllm: estimateVllm, sglang: estimateSglang, llamacpp: estimateLlamacpp };

/** The engine an estimate assumes when none is named: llama.cpp for a GGUF, else vLLM. */
export function defaultEngine(facts: Pick<ModelFacts, "source">): Engine {
  return facts.source === "gguf" ? "llamacpp" : "vllm";
}

export function estimateFit(facts: ModelFacts, options?: FitOptionsInput): FitResult {
  const opts = parseFitOptions(options);
  const engine: Engine = opts.engine ?? defaultEngine(facts);
  const tp = opts.tp ?? (engine === "llamacpp" ? (opts.gpuMem?.length ?? 1) : 1);
  checkTp(engine, tp, facts);
  const quant = resolveQuantOption(opts.quant);
  const kvDtype = resolveKvDtype(engine, opts.kvDtype, facts);
  const gpus = resolveGpus(opts, tp, engine);
  const ctxLimit = facts.contextLength;
  const ctx = opts.ctx ?? ctxLimit ?? 4096;

  const weights = estimateWeights(facts, quant);
  // vLLM and SGLang split KV heads over TP ranks; llama.cpp splits layers, so per GPU it is a share.
  const kv = kvLayout(facts, kvBytesPerElement(kvDtype), engine === "llamacpp" ? 1 : tp);
  const warnings: string[] = [];
  if (opts.ctx === undefined) warnings.push(ctxLimit === null ? "no --ctx and the model states no context length: assumed 4096" : `no --ctx: using the model's full context (${ctxLimit})`);
  if (engine === "llamacpp" && quant === null && resolveQuant(facts.dtype ?? "")?.kind !== "gguf") {
    warnings.push(`no --quant for llama.cpp: assuming a GGUF at the checkpoint's precision (${weights.precision}); pass e.g. --quant Q4_K_M`);
  }
  if (engine !== "llamacpp" && ctxLimit !== null && ctx > ctxLimit) {
    warnings.push(`--ctx ${ctx} exceeds the model's ${ctxLimit}: ${engine} refuses it unless RoPE scaling is configured`);
  }

  const r = RULES[engine]({ facts, opts, weights, kv, kvDtype, tp, ctx, ctxLimit, gpus });
  const sum = (pick: (u: (typeof r.perGpu)[number]) => number) => r.perGpu.reduce((s, u) => s + pick(u), 0);
  const weightsBytes = sum((u) => u.weightsBytes);
  const kvCacheBytes = sum((u) => u.kvCacheBytes);
  const overheadBytes = sum((u) => u.overheadBytes);
  const perGpu = r.perGpu.map((u, i) => ({
    index: gpus?.[i]?.index ?? i,
    totalBytes: Math.round(u.weightsBytes + u.kvCacheBytes + u.overheadBytes),
    capacityBytes: gpus?.[i]?.capacityBytes ?? 0,
  }));
  const uncertain = [...new Set([...facts.missing.map((m) => `missing fact: ${m}`), ...weights.uncertain, ...kv.uncertain])];
  return {
    weightsBytes: Math.round(weightsBytes),
    kvCacheBytes: Math.round(kvCacheBytes),
    kvCacheTokens: r.kvCacheTokens,
    overheadBytes: Math.round(overheadBytes),
    totalBytes: Math.round(weightsBytes + kvCacheBytes + overheadBytes),
    fits: r.fits,
    maxContext: r.maxContext,
    perGpu,
    engine, ctx, parallel: opts.parallel, tp, kvDtype, precision: weights.precision,
    hostWeightsBytes: Math.round(r.hostWeightsBytes),
    breakdown: r.breakdown,
    warnings: [...warnings, ...r.warnings],
    uncertain,
  };
}
