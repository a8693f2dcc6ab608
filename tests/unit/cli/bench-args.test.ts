/** `switchyard bench` arguments: the contract's flags, bounds named in the message, exit 2 on misuse. */
import { describe, expect, it } from "vitest";
import { parseBenchArgs } from "../../../cli/bench-args";
import { CliError } from "../../../cli/client";
import { renderBenchmark } from "../../../cli/commands/bench";
import { contractJson, type BenchmarkView } from "../../../protocol/benchmarks";

describe("parseBenchArgs", () => {
  it("reads the contract's flags", () => {
    expect(parseBenchArgs(["qwen3-8b", "--concurrency", "1,4,16", "--requests", "20", "--prompt-tokens", "512", "--max-tokens", "256", "--json"])).toEqual({
      body: { model: "qwen3-8b", concurrency: [1, 4, 16], requests: 20, promptTokens: 512, maxTokens: 256 }, json: true,
    });
    expect(parseBenchArgs(["m"])).toEqual({ body: { model: "m" }, json: false });
    expect(parseBenchArgs(["--help"])).toBe("help");
  });

  it.each([
    [[], /needs the MODEL/],
    [["m", "--concurrency", "0"], /--concurrency must be a whole number from 1 to 64, got '0'/],
    [["m", "--concurrency", "1,x"], /got 'x'/],
    [["m", "--concurrency", "1,2,3,4,5,6,7,8,9"], /1 to 8 levels/],
    [["m", "--requests", "1e3"], /--requests must be a whole number from 1 to 10000/],
    [["m", "--max-tokens=-5"], /--max-tokens must be a whole number/],
    [["m", "extra"], /unexpected argument 'extra'/],
  ])("refuses %j with exit 2", (argv, message) => {
    try {
      parseBenchArgs(argv as string[]);
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(CliError);
      expect((err as CliError).exitCode).toBe(2);
      expect((err as Error).message).toMatch(message);
    }
  });
});

const view: BenchmarkView = {
  id: "b1", model: "qwen3-8b", state: "done", params: { concurrency: [1, 4], requests: 10, promptTokens: 128, maxTokens: 128, ignoreEos: true },
  context: { target: "qwen3-8b/qwen3-8b", backend: "qwen3-8b", backendKind: "vllm", engine: "vllm", image: "vllm/vllm-openai:latest", node: "box1", gpus: [0, 1], gpuNames: ["NVIDIA GeForce RTX 4090", "NVIDIA GeForce RTX 4090"], ctx: 32768, modelFile: "Qwen/Qwen3-8B" },
  runs: [1, 4].map((c) => ({
    concurrency: c, requests: 10, failed: c === 4 ? 1 : 0, ttftMs: { p50: 40 * c, p99: 90 * c }, outputTokensPerSec: 100 / c, aggregateTokensPerSec: 95 * c, requestsPerSec: 0.7 * c,
    promptTokens: 130, outputTokens: 128, durationMs: 14000, engineTokensPerSec: 101, backends: { "qwen3-8b": 10 }, errors: c === 4 ? ["HTTP 503: overloaded"] : [],
  })),
  error: null, createdAt: 0, finishedAt: 1, progress: null,
};

describe("bench output", () => {
  it("--json is the contract's shape (plus id and context)", () => {
    const j = contractJson(view);
    expect(Object.keys(j)).toEqual(["model", "runs", "id", "context"]);
    expect(j.runs[0]).toEqual({ concurrency: 1, requests: 10, failed: 0, ttftMs: { p50: 40, p99: 90 }, outputTokensPerSec: 100, aggregateTokensPerSec: 95, requestsPerSec: 0.7 });
  });

  it("the table says where it ran and what failed", () => {
    const t = renderBenchmark(view);
    expect(t).toContain("vllm on box1 (GPU 0,1: NVIDIA GeForce RTX 4090), ctx 32768");
    expect(t).toMatch(/CONCURRENCY\s+REQUESTS\s+FAILED\s+TTFT P50/);
    expect(t).toMatch(/\n4\s+10\s+1\s+160 ms\s+360 ms\s+25\.0\s+380\.0\s+2\.80/);
    expect(t).toContain("concurrency 4: HTTP 503: overloaded");
  });
});
