/**
 * llama-server's `-lv 4` memory lines (b11669, captured here from the chroot's llama-server on
 * tiny generated models) → bytes. The accuracy test and bench read the real server through this.
 */
import { describe, expect, it } from "vitest";
import { hasMemoryFigures, parseLlamaMemory } from "../../../fit/llamacpp-log";

const MiB = 2 ** 20;

// F16 model, -c 4096 -np 2, f16 KV.
const F16 = `0.00.019.200 I common_memory_breakdown_print: | memory breakdown [MiB] | total   free    self   model   context   compute    unaccounted |
0.00.019.217 I common_memory_breakdown_print: |   - Host               |                   13 =     2 +       4 +       6                |
0.00.020.244 I load_tensors:   CPU_Mapped model buffer size =     2.51 MiB
0.00.020.485 I llama_context: n_ctx                 = 4096
0.00.020.485 I llama_context: n_ctx_seq             = 2048
0.00.020.485 I llama_context: n_batch               = 2048
0.00.020.485 I llama_context: n_ubatch              = 512
0.00.020.486 I llama_context: flash_attn            = auto
0.00.020.488 I llama_context: n_ctx_seq (2048) < n_ctx_train (32768) -- the full capacity of the model will not be utilized
0.00.020.495 I llama_context:        CPU  output buffer size =     0.00 MiB
0.00.020.533 I llama_kv_cache:        CPU KV buffer size =     4.00 MiB
0.00.022.317 I llama_kv_cache: size =    4.00 MiB (  2048 cells,   2 layers,  2/2 seqs), K (f16):    2.00 MiB, V (f16):    2.00 MiB
0.00.022.954 I resolve_fused_ops: Flash Attention enabled
0.00.023.233 I sched_reserve:        CPU compute buffer size =     6.52 MiB`;

// Q4_K_M model (llama-quantize), q8_0 KV: one model buffer per tensor group, and the repacked ones.
const Q4 = `0.00.020.378 I load_tensors:   CPU_Mapped model buffer size =     0.16 MiB
0.00.020.379 I load_tensors:   CPU_Mapped model buffer size =     0.11 MiB
0.00.020.379 I load_tensors:   CPU_Mapped model buffer size =     0.00 MiB
0.00.020.380 I load_tensors:   CPU_Mapped model buffer size =     1.38 MiB
0.00.020.380 I load_tensors:   CPU_REPACK model buffer size =     5.80 MiB
0.00.025.551 I llama_context:        CPU  output buffer size =     0.12 MiB
0.00.025.605 I llama_kv_cache:        CPU KV buffer size =     4.25 MiB
0.00.027.524 I llama_kv_cache: size =    4.25 MiB (  2048 cells,   2 layers,  2/2 seqs), K (q8_0):    2.12 MiB, V (q8_0):    2.12 MiB
0.00.028.379 I sched_reserve:        CPU compute buffer size =    21.60 MiB`;

describe("parseLlamaMemory", () => {
  it("reads every buffer, the cache layout and the context settings", () => {
    const m = parseLlamaMemory(F16);
    expect(m.model).toEqual([{ device: "CPU_Mapped", bytes: 2.51 * MiB }]);
    expect(m.kvBytes).toBe(4 * MiB);
    expect(m.computeBytes).toBeCloseTo(6.52 * MiB);
    expect(m.caches).toEqual([{ bytes: 4 * MiB, cells: 2048, layers: 2, kType: "f16", vType: "f16" }]);
    expect(m).toMatchObject({ nCtx: 4096, nCtxSeq: 2048, nUbatch: 512, flashAttention: true });
    expect(m.totalBytes).toBeCloseTo((2.51 + 4 + 6.52) * MiB);
  });

  it("sums every model buffer line, repacked ones included", () => {
    const m = parseLlamaMemory(Q4);
    expect(m.model.map((b) => b.device)).toEqual(["CPU_Mapped", "CPU_Mapped", "CPU_Mapped", "CPU_Mapped", "CPU_REPACK"]);
    expect(m.modelBytes).toBeCloseTo((0.16 + 0.11 + 1.38 + 5.8) * MiB);
    expect(m.outputBytes).toBeCloseTo(0.12 * MiB);
    expect(m.caches[0]).toMatchObject({ kType: "q8_0", vType: "q8_0" });
  });

  it("says when the figures are not all there yet (the compute buffer is printed last)", () => {
    expect(hasMemoryFigures(F16)).toBe(true);
    expect(hasMemoryFigures(F16.split("\n").slice(0, -1).join("\n"))).toBe(false);
    expect(parseLlamaMemory("")).toMatchObject({ totalBytes: 0, nCtx: null, flashAttention: null });
  });
});
