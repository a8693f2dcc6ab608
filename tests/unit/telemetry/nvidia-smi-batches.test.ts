/** BatchAssembler: rows of the long-running nvidia-smi loop → one batch per sample. */
import { describe, expect, it } from "vitest";
import { BatchAssembler } from "../../../agents/telemetry/nvidia-smi-batches";
import type { Gpu } from "../../../protocol/telemetry";

// Only the index decides where a batch ends; the rest of a row rides along.
const row = (index: number, sample: number): Gpu => ({ index, uuid: `GPU-${index}`, name: `sample ${sample}` }) as Gpu;

// prettier-ignore
const CASES: { name: string; gpuCount: number | null; indices: number[]; batches: number[][]; held: number[] }[] = [
  { name: "four GPUs, count known: each sample completes at its fourth row", gpuCount: 4, indices: [0, 1, 2, 3, 0, 1, 2, 3], batches: [[0, 1, 2, 3], [0, 1, 2, 3]], held: [] },
  { name: "count known, a sample cut short: the wrap-around ends it", gpuCount: 3, indices: [0, 1, 0, 1, 2], batches: [[0, 1], [0, 1, 2]], held: [] },
  { name: "count unknown: the wrap-around ends a batch, the last one waits for the quiet gap", gpuCount: null, indices: [0, 1, 0, 1, 0], batches: [[0, 1], [0, 1]], held: [0] },
  { name: "one GPU, count known: every row is a batch", gpuCount: 1, indices: [0, 0, 0], batches: [[0], [0], [0]], held: [] },
  { name: "one GPU, count unknown: a repeated index is a new sample", gpuCount: null, indices: [0, 0, 0], batches: [[0], [0]], held: [0] },
  { name: "a GPU fell off (count says 3, rows show 2): wrap-around still batches", gpuCount: 3, indices: [0, 2, 0, 2], batches: [[0, 2]], held: [0, 2] },
  { name: "a MIG-only box whose rows skip indices", gpuCount: null, indices: [1, 3, 1, 3], batches: [[1, 3]], held: [1, 3] },
];

describe("BatchAssembler", () => {
  it.each(CASES)("$name", ({ gpuCount, indices, batches, held }) => {
    const a = new BatchAssembler(gpuCount);
    let sample = 0;
    const out: Gpu[][] = [];
    for (const [i, index] of indices.entries()) {
      if (i > 0 && index <= indices[i - 1]!) sample++;
      const batch = a.push(row(index, sample));
      if (batch !== null) out.push(batch);
    }
    expect(out.map((b) => b.map((g) => g.index))).toEqual(batches);
    // Each batch holds the rows of one sample only.
    for (const b of out) expect(new Set(b.map((g) => g.name)).size).toBe(1);
    expect(a.holding).toBe(held.length > 0);
    expect(a.flush()?.map((g) => g.index) ?? []).toEqual(held);
    expect(a.holding).toBe(false);
    expect(a.flush()).toBeNull();
  });
});
