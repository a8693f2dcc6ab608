/**
 * Fit options: one zod schema as both the runtime check and the type. Contract options
 * (engine, ctx, parallel, kvDtype, quant, gpuMem, util, tp) plus additive ones: memory other
 * processes hold (freeBytes), and engine knobs that change the answer.
 */
import { z } from "zod";
import { FitError } from "./errors";
import { KV_DTYPES } from "./kv-cache";
import { ENGINES } from "../protocol/engines";
import { parseByteSize } from "../protocol/byte-size";

export { ENGINES, type Engine } from "../protocol/engines";

export { parseByteSize } from "../protocol/byte-size";

const byteSize = z.union([z.number(), z.string()]).transform((v, ctx) => {
  const n = typeof v === "number" ? v : parseByteSize(v);
  if (n === null || !Number.isFinite(n) || n <= 0) {
    ctx.addIssue({ code: "custom", message: `${JSON.stringify(v)} is not a memory size (e.g. 24GiB, 80GB, 81559MiB)` });
    return z.NEVER;
  }
  return n;
});

const positiveInt = z.number().int().positive();

export const FitOptionsSchema = z
  .object({
    engine: z.enum(ENGINES, { error: `engine must be one of ${ENGINES.join(", ")}` }).optional(),
    /** Max model length (vLLM/SGLang) or total context over all slots (llama.cpp -c). */
    ctx: positiveInt.optional(),
    /** Concurrent sequences; llama.cpp slots (-np). */
    parallel: positiveInt.default(1),
    kvDtype: z.enum(KV_DTYPES, { error: `kvDtype must be one of ${KV_DTYPES.join(", ")}` }).default("auto"),
    quant: z.string().min(1).optional(),
    /** Total memory of each GPU the deployment uses. */
    gpuMem: z.array(byteSize).min(1).optional(),
    /** Free memory of each GPU (total minus what other processes hold). */
    freeBytes: z.array(byteSize).optional(),
    gpuIndices: z.array(z.number().int().nonnegative()).optional(),
    /** vLLM gpu_memory_utilization / SGLang mem_fraction_static. */
    util: z.number().gt(0, "util must be above 0").lte(1, "util is a fraction of GPU memory: at most 1").optional(),
    tp: positiveInt.optional(),
    // vLLM/SGLang knobs
    maxNumBatchedTokens: positiveInt.optional(),
    maxNumSeqs: positiveInt.optional(),
    enforceEager: z.boolean().default(false),
    /** vLLM ≥ 0.21 profiles CUDA graphs inside the utilization budget; older versions add them on top. */
    graphsInBudget: z.boolean().default(true),
    // llama.cpp knobs
    flashAttention: z.boolean().default(true),
    ubatch: positiveInt.default(512),
    /** llama.cpp's --fit keeps this much free per device (default 1 GiB); 0 disables the margin. */
    fitMarginBytes: z.number().nonnegative().optional(),
    /** Where llama.cpp computes: GPU (CUDA) buffers, or a CPU-only build. */
    backend: z.enum(["cuda", "cpu"]).default("cuda"),
    /**
     * Multiplies the engine's overhead terms (compute buffers, activations, runtime, graphs):
     * the self-calibration's correction from measured deployments of the same model and engine.
     */
    overheadScale: z.number().min(0.25, "overheadScale is at least 0.25").max(4, "overheadScale is at most 4").default(1),
  })
  .strict();

export type FitOptionsInput = z.input<typeof FitOptionsSchema>;
export type FitOptions = z.output<typeof FitOptionsSchema>;

export function parseFitOptions(input: unknown): FitOptions {
  const r = FitOptionsSchema.safeParse(input ?? {});
  if (!r.success) {
    const msg = r.error.issues.map((i) => (i.path.length ? `${i.path.join(".")}: ${i.message}` : i.message)).join("; ");
    throw new FitError("invalid_options", `invalid fit options: ${msg}`, { issues: r.error.issues.map((i) => ({ path: i.path.map(String), message: i.message })) });
  }
  const o = r.data;
  if (o.freeBytes && (!o.gpuMem || o.freeBytes.length !== o.gpuMem.length)) {
    throw new FitError("invalid_options", `freeBytes gives ${o.freeBytes.length} GPUs but gpuMem gives ${o.gpuMem?.length ?? 0}: give one of each per GPU`);
  }
  o.freeBytes?.forEach((free, i) => {
    const total = o.gpuMem?.[i] ?? Infinity;
    if (free > total) throw new FitError("invalid_options", `GPU ${i}: free memory ${free} bytes exceeds its total ${total}`);
  });
  return o;
}
