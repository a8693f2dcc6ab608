/**
 * The fit matrix: every GPU set of every node judged on measured free memory (what other
 * processes hold counts), TP where the engine splits, offline and unknown GPUs marked.
 */
import { describe, expect, it } from "vitest";
import { catalogFacts } from "../../../fit/catalog";
import { estimateFit } from "../../../fit/estimate";
import { fitMatrix, gpuSets, type MatrixNode } from "../../../fit/matrix";

const MiB = 2 ** 20;
const GiB = 2 ** 30;
const facts = (id: string) => catalogFacts(id)!;
const gpu = (index: number, memTotalMiB: number | null, memUsedMiB: number | null = 500, name = "NVIDIA GeForce RTX 3090") => ({ index, name, memTotalMiB, memUsedMiB });

describe("gpuSets", () => {
  it("takes contiguous runs of 1, 2, 4, 8 GPUs", () => {
    expect(gpuSets([3, 1, 0, 2])).toEqual([[0], [1], [2], [3], [0, 1], [1, 2], [2, 3], [0, 1, 2, 3]]);
    expect(gpuSets([0, 1, 2])).toEqual([[0], [1], [2], [0, 1], [1, 2]]);
  });
  it("does not bridge a gap in the indices (a GPU the node does not report)", () => {
    expect(gpuSets([0, 1, 3])).toEqual([[0], [1], [3], [0, 1]]);
    expect(gpuSets([])).toEqual([]);
  });
});

describe("fitMatrix", () => {
  const qwen = facts("Qwen/Qwen3-8B"); // BF16, 16.4 GB of weights
  const nodes: MatrixNode[] = [
    // GPU 1 is mostly held by a process Switchyard did not start.
    { name: "box1", online: true, gpus: [gpu(0, 24576, 1000), gpu(1, 24576, 20000)] },
    { name: "big", online: true, gpus: [0, 1, 2, 3].map((i) => gpu(i, 81559, 600, "NVIDIA H100 80GB HBM3")) },
    { name: "gone", online: false, gpus: [gpu(0, 24576)] },
    { name: "odd", online: true, gpus: [gpu(0, null, null)] },
  ];
  const m = fitMatrix(qwen, { engine: "vllm", ctx: 8192 }, nodes);
  const cell = (node: string, gpus: number[]) => m.cells.find((c) => c.node === node && c.gpus.join() === gpus.join())!;

  it("judges every set of every node, TP = set size", () => {
    expect(m.cells.map((c) => `${c.node}:${c.gpus.join(",")}`)).toEqual([
      "big:0", "big:1", "big:2", "big:3", "big:0,1", "big:1,2", "big:2,3", "big:0,1,2,3", "box1:0", "box1:1", "box1:0,1", "gone:0", "odd:0",
    ]);
    expect(cell("big", [0, 1, 2, 3])).toMatchObject({ tp: 4, verdict: "fits" });
    expect(cell("big", [0, 1, 2, 3]).estimate!.perGpu).toHaveLength(4);
  });

  it("counts memory other processes hold: the same GPU model fits on the free one only", () => {
    expect(cell("box1", [0])).toMatchObject({ verdict: "fits", freeBytes: [(24576 - 1000) * MiB] });
    const busy = cell("box1", [1]);
    expect(busy.verdict).toBe("no");
    expect(busy.reason).toMatch(/refuses to start/);
    // A tensor-parallel pair is only as good as its fullest GPU.
    expect(cell("box1", [0, 1]).verdict).toBe("no");
  });

  it("marks offline nodes and GPUs without a memory size", () => {
    expect(cell("gone", [0])).toMatchObject({ verdict: "offline", online: false });
    expect(cell("gone", [0]).reason).toMatch(/offline/);
    expect(cell("odd", [0])).toMatchObject({ verdict: "unknown", estimate: null });
  });

  it("picks the set that fits with the fewest GPUs and the most headroom", () => {
    const best = m.cells[m.best!]!;
    expect(best.gpus).toHaveLength(1);
    expect(best.node).toBe("big");
    expect(best.maxContext).toBe(40960);
  });

  it("marks sets the engine cannot split the model over", () => {
    const eight: MatrixNode = { name: "eight", online: true, gpus: Array.from({ length: 8 }, (_, i) => gpu(i, 81559)) };
    const r = fitMatrix(facts("Qwen/Qwen2.5-7B-Instruct"), { engine: "vllm", ctx: 4096 }, [eight]); // 28 heads
    const c8 = r.cells.find((c) => c.gpus.length === 8)!;
    expect(c8.verdict).toBe("unsupported");
    expect(c8.reason).toMatch(/--tp 8 does not divide the model's 28 attention heads/);
    expect(r.cells.find((c) => c.gpus.length === 4)!.verdict).toBe("fits");
  });

  it("calls a fit with under 10 % to spare tight", () => {
    const llama = facts("meta-llama/Llama-3.1-8B-Instruct");
    const opts = { engine: "llamacpp" as const, quant: "Q4_K_M", ctx: 65536 };
    const need = estimateFit(llama, opts).totalBytes;
    const margin = 1 * GiB; // llama.cpp's --fit margin
    const totalMiB = 24576;
    const usedFor = (spareBytes: number) => Math.floor(totalMiB - (need + margin + spareBytes) / MiB);
    const node = (used: number): MatrixNode => ({ name: "n", online: true, gpus: [gpu(0, totalMiB, used)] });
    const tight = fitMatrix(llama, opts, [node(usedFor(0.2 * GiB))]).cells[0]!;
    expect(tight.verdict).toBe("tight");
    expect(tight.headroom!).toBeLessThan(0.1);
    expect(fitMatrix(llama, opts, [node(usedFor(4 * GiB))]).cells[0]!.verdict).toBe("fits");
    expect(fitMatrix(llama, opts, [node(usedFor(-0.5 * GiB))]).cells[0]!.verdict).toBe("no");
  });

  it("has no best place when nothing fits", () => {
    const r = fitMatrix(qwen, { engine: "vllm", ctx: 8192 }, [{ name: "small", online: true, gpus: [gpu(0, 8192)] }]);
    expect(r.best).toBeNull();
    expect(r.cells[0]!.verdict).toBe("no");
  });
});
