/** The fit views' pure parts: the breakdown bar, the matrix by node, the form → request mapping. */
import { describe, expect, it } from "vitest";
import type { FitMatrixCell } from "../../../protocol/fit";
import { breakdownSegments, deployFitRequest, formatSet, formatTokens, groupByNode, toFitRequest } from "../../../app/components/fit/fit-view";

const GiB = 2 ** 30;

describe("breakdownSegments", () => {
  it("shows weights, KV and overhead against the free memory, and what is left", () => {
    const { segments, over } = breakdownSegments({ weightsBytes: 8 * GiB, kvCacheBytes: 4 * GiB, overheadBytes: 2 * GiB }, 20 * GiB);
    expect(over).toBe(false);
    expect(segments.map((s) => [s.key, s.pct])).toEqual([["weights", 40], ["kv", 20], ["overhead", 10], ["free", 30]]);
  });
  it("scales to the need when it exceeds the free memory", () => {
    const { segments, over } = breakdownSegments({ weightsBytes: 16 * GiB, kvCacheBytes: 4 * GiB, overheadBytes: 0 }, 10 * GiB);
    expect(over).toBe(true);
    expect(segments.map((s) => s.pct)).toEqual([80, 20, 0]);
  });
});

describe("matrix helpers", () => {
  const cell = (node: string, gpus: number[]): FitMatrixCell => ({
    node, online: true, gpus, gpuNames: [], totalBytes: [], freeBytes: [], tp: gpus.length, verdict: "fits", maxContext: null, headroom: null, reason: null, estimate: null,
  });
  it("groups cells by node, keeping their index into the matrix", () => {
    const g = groupByNode([cell("a", [0]), cell("a", [1]), cell("b", [0])]);
    expect(g.map((x) => [x.node, x.cells.map((c) => c.index)])).toEqual([["a", [0, 1]], ["b", [2]]]);
  });
  it("formats sets and token counts", () => {
    expect(formatSet([0, 1, 2, 3])).toBe("0–3");
    expect(formatSet([5])).toBe("5");
    expect(formatTokens(131072)).toBe("131k");
    expect(formatTokens(4096)).toBe("4,096");
    expect(formatTokens(null)).toBe("—");
  });
});

describe("form → fit request", () => {
  it("leaves blank or unusable fields to the server's defaults", () => {
    expect(toFitRequest({ model: " ", engine: "", ctx: "", parallel: "", kvDtype: "auto", util: "" })).toBeNull();
    expect(toFitRequest({ model: "Qwen/Qwen3-8B", engine: "vllm", ctx: "32768", parallel: "x", kvDtype: "auto", util: "1.5" })).toEqual({ model: "Qwen/Qwen3-8B", engine: "vllm", ctx: 32768 });
  });
  it("maps the deploy form's fields, engine KV names included", () => {
    expect(deployFitRequest({ engine: "vllm", model: "Qwen/Qwen3-8B", ctx: "", parallel: "", util: "0.8", kvCacheDtype: "fp8_e4m3" })).toEqual({ model: "Qwen/Qwen3-8B", engine: "vllm", kvDtype: "fp8", util: 0.8 });
    expect(deployFitRequest({ engine: "llamacpp", model: "/m/x.gguf", ctx: "8192", parallel: "4", util: "", kvCacheDtype: "q8_0" })).toEqual({ model: "/m/x.gguf", engine: "llamacpp", ctx: 8192, parallel: 4, kvDtype: "q8_0" });
  });
});
