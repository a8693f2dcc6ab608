/**
 * llama-server's own memory figures, read from its `-lv 4` log (build b11669 and later):
 *   load_tensors:   CPU_Mapped model buffer size =     2.51 MiB     (one line per buffer type;
 *                   quantized models add e.g. CPU_REPACK, offloaded ones CUDA0)
 *   llama_context:        CPU  output buffer size =     0.00 MiB
 *   llama_kv_cache:        CPU KV buffer size =     4.00 MiB      (one per device; two caches with SWA)
 *   llama_kv_cache: size = 4.00 MiB ( 2048 cells, 2 layers, 2/2 seqs), K (f16): 2.00 MiB, V (f16): 2.00 MiB
 *   sched_reserve:        CPU compute buffer size =     6.52 MiB
 * Pure: the text in, the figures out, so the accuracy test, the bench and anything that reads a
 * deployment's container log share one reading. Figures are MiB with two decimals (±0.005 MiB).
 */

const MiB = 1024 ** 2;

export interface LlamaBuffer {
  /** The buffer type as printed: "CPU_Mapped", "CPU_REPACK", "CUDA0", "CPU", … */
  device: string;
  bytes: number;
}

export interface LlamaMemory {
  model: LlamaBuffer[];
  kv: LlamaBuffer[];
  compute: LlamaBuffer[];
  output: LlamaBuffer[];
  /** From `llama_kv_cache: size = …`: cells and element types of each cache. */
  caches: { bytes: number; cells: number; layers: number; kType: string; vType: string }[];
  nCtx: number | null;
  nCtxSeq: number | null;
  nUbatch: number | null;
  flashAttention: boolean | null;
  /** Sums in bytes. */
  modelBytes: number;
  kvBytes: number;
  computeBytes: number;
  outputBytes: number;
  totalBytes: number;
}

const BUFFER = /\b(\S+)\s+(model|KV|compute|output) buffer size\s*=\s*([\d.]+)\s*MiB/;
const CACHE = /llama_kv_cache: size =\s*([\d.]+) MiB \(\s*(\d+) cells,\s*(\d+) layers,.*?K \((\w+)\):.*?V \((\w+)\)/;
const num = (text: string, re: RegExp): number | null => {
  const m = re.exec(text);
  return m ? Number(m[1]) : null;
};

export function parseLlamaMemory(log: string): LlamaMemory {
  const out: Pick<LlamaMemory, "model" | "kv" | "compute" | "output" | "caches"> = { model: [], kv: [], compute: [], output: [], caches: [] };
  for (const line of log.split("\n")) {
    const b = BUFFER.exec(line);
    if (b) {
      const kind = b[2] === "KV" ? "kv" : (b[2] as "model" | "compute" | "output");
      out[kind].push({ device: b[1]!, bytes: Number(b[3]) * MiB });
      continue;
    }
    const c = CACHE.exec(line);
    if (c) out.caches.push({ bytes: Number(c[1]) * MiB, cells: Number(c[2]), layers: Number(c[3]), kType: c[4]!, vType: c[5]! });
  }
  const sum = (xs: LlamaBuffer[]) => xs.reduce((s, x) => s + x.bytes, 0);
  const fa = /Flash Attention (enabled|disabled)/.exec(log) ?? /flash_attn\s*=\s*(enabled|disabled|1|0)\b/.exec(log);
  const modelBytes = sum(out.model);
  const kvBytes = sum(out.kv);
  const computeBytes = sum(out.compute);
  const outputBytes = sum(out.output);
  return {
    ...out,
    nCtx: num(log, /llama_context: n_ctx\s*=\s*(\d+)/),
    nCtxSeq: num(log, /llama_context: n_ctx_seq\s*=\s*(\d+)/),
    nUbatch: num(log, /llama_context: n_ubatch\s*=\s*(\d+)/),
    flashAttention: fa ? fa[1] === "enabled" || fa[1] === "1" : null,
    modelBytes, kvBytes, computeBytes, outputBytes,
    totalBytes: modelBytes + kvBytes + computeBytes + outputBytes,
  };
}

/** True once the log holds every figure a comparison needs (the compute buffer is printed last). */
export function hasMemoryFigures(log: string): boolean {
  const m = parseLlamaMemory(log);
  return m.model.length > 0 && m.kv.length > 0 && m.compute.length > 0;
}
