/**
 * llama.cpp's memory: the model buffer (all layers offloaded; the input embedding stays in host
 * memory), the KV buffer for the whole -c over all slots, the compute buffer, and a CUDA context
 * per GPU. With --fit (default on) llama.cpp keeps a margin free on every device and offloads
 * layers to the CPU rather than run out, so "fits" means: everything on the GPUs, margin kept.
 *
 * The rule is meant to be calibrated against `llama-server -lv 4` lines (`model buffer size`,
 * `KV buffer size`, `compute buffer size`): constants are in LLAMACPP and COMPUTE only.
 */
import { computeBufferBytes, KV_CELL_PAD, outputBufferBytes, type Backend } from "./llamacpp-compute";
import { GiB, gib, type EngineEstimate, type EngineInput, type GpuUse } from "./types";

export const LLAMACPP = {
  /** --fit-target default: MiB kept free per device. */
  fitMarginBytes: 1 * GiB,
  /** CUDA context and cuBLAS workspace per GPU, outside llama.cpp's own buffers (not calibrated). */
  cudaContextBytes: 0.3 * GiB,
  /** -b default; the ubatch never exceeds it. */
  batch: 2048,
  /** The largest -c searched for maxContext when the model states no limit. */
  maxSearchCtx: 1 << 22,
} as const;

const pad = (n: number, to: number) => Math.ceil(n / to) * to;

interface Layout {
  /** n_ctx as llama.cpp rounds it. */
  cells: number;
  kvBytes: number;
  computeBytes: number;
  /** The logits buffer, where the backend keeps it on the device. */
  outputBytes: number;
}

/** What llama.cpp allocates for a total context `ctx` over `slots` slots. */
function layoutFor(input: EngineInput, ctx: number, backend: Backend): Layout {
  const { opts, kv, facts } = input;
  const slots = opts.parallel;
  const cellsPerSeq = pad(Math.ceil(ctx / slots), KV_CELL_PAD);
  const cells = cellsPerSeq * slots;
  const ubatch = Math.min(opts.ubatch, LLAMACPP.batch, ctx);
  // Sliding layers keep window + one ubatch per sequence (llama_kv_cache_iswa).
  const swaPerSeq = kv.window !== null ? Math.min(cellsPerSeq, pad(kv.window + ubatch, KV_CELL_PAD)) : cellsPerSeq;
  const kvBytes = kv.fullBytesPerToken * cells + kv.swaBytesPerToken * swaPerSeq * slots;
  const computeBytes = computeBufferBytes({ facts, cellsPerSeq, ubatch, slots, kvDtype: input.kvDtype, flashAttention: opts.flashAttention, backend });
  return { cells, kvBytes, computeBytes, outputBytes: outputBufferBytes(facts, slots, backend) };
}

export function estimateLlamacpp(input: EngineInput): EngineEstimate {
  const { opts, weights, ctx, ctxLimit, gpus, tp } = input;
  const backend = opts.backend;
  const warnings: string[] = [];
  // The CPU build keeps everything in host memory: "device" 0 is then the host.
  const hostWeights = backend === "cuda" ? weights.embeddingBytes : 0;
  const deviceWeights = weights.totalBytes - hostWeights;
  const context = backend === "cuda" ? LLAMACPP.cudaContextBytes : 0;
  const scale = opts.overheadScale;
  const margin = backend === "cuda" ? (opts.fitMarginBytes ?? LLAMACPP.fitMarginBytes) : (opts.fitMarginBytes ?? 0);
  const devices = gpus ?? Array.from({ length: backend === "cuda" ? tp : 1 }, (_, index) => ({ index, totalBytes: 0, capacityBytes: 1 }));
  // Layers split in proportion to each device's free memory (llama.cpp's default tensor split).
  const capacity = devices.reduce((s, g) => s + g.capacityBytes, 0);
  const shares = devices.map((g) => g.capacityBytes / capacity);

  const perDevice = (l: Layout): GpuUse[] =>
    shares.map((s) => ({ weightsBytes: deviceWeights * s, kvCacheBytes: l.kvBytes * s, overheadBytes: (l.computeBytes + l.outputBytes + context) * scale }));
  const fitsAt = (l: Layout): boolean =>
    !!gpus && perDevice(l).every((u, i) => u.weightsBytes + u.kvCacheBytes + u.overheadBytes + margin <= gpus[i]!.capacityBytes);

  const layout = layoutFor(input, ctx, backend);
  const perGpu = perDevice(layout);
  const breakdown: Record<string, number> = {
    computeBufferBytes: layout.computeBytes, outputBufferBytes: layout.outputBytes, cudaContextBytes: context, fitMarginBytes: margin, nCtx: layout.cells,
    kvBytesPerToken: input.kv.fullBytesPerToken + input.kv.swaBytesPerToken, hostWeightsBytes: hostWeights, overheadScale: scale,
  };
  if (layout.cells !== ctx) warnings.push(`llama.cpp rounds -c ${ctx} up to ${layout.cells} (${opts.parallel} slot(s) × ${layout.cells / opts.parallel} cells)`);
  if (ctxLimit !== null && ctx > ctxLimit * opts.parallel) warnings.push(`-c ${ctx} over ${opts.parallel} slot(s) exceeds the model's trained context (${ctxLimit} per slot): llama-server caps each slot at ${ctxLimit} tokens, so longer prompts are refused`);

  if (!gpus) return { perGpu, hostWeightsBytes: hostWeights, kvCacheTokens: layout.cells, fits: null, maxContext: null, breakdown, warnings };

  const fits = fitsAt(layout);
  if (!fits) {
    const need = perGpu[0]!.weightsBytes + perGpu[0]!.kvCacheBytes + perGpu[0]!.overheadBytes + margin;
    warnings.push(`llama.cpp needs ${gib(need)} on GPU ${gpus[0]!.index} (with the ${gib(margin)} --fit margin): with --fit on it offloads layers to the CPU (slower); lower -c or use a smaller quant`);
  }
  const maxContext = largestFitting(input, backend, fitsAt, ctxLimit === null ? LLAMACPP.maxSearchCtx : ctxLimit * opts.parallel);
  return { perGpu, hostWeightsBytes: hostWeights, kvCacheTokens: layout.cells, fits, maxContext, breakdown, warnings };
}

/** Binary search over -c in whole padded steps: memory grows monotonically with context. */
function largestFitting(input: EngineInput, backend: Backend, fitsAt: (l: Layout) => boolean, limit: number): number {
  const step = KV_CELL_PAD * input.opts.parallel;
  let lo = 0;
  let hi = Math.floor(limit / step);
  if (hi > 0 && fitsAt(layoutFor(input, hi * step, backend))) return limit;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (fitsAt(layoutFor(input, mid * step, backend))) lo = mid;
    else hi = mid - 1;
  }
  return lo * step;
}
