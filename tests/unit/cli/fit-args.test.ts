/** `switchyard fit` arguments: every form, and the usage errors (exit 2) with what to do. */
import { describe, expect, it } from "vitest";
import { CliError } from "../../../cli/client";
import { parseFitArgs } from "../../../cli/fit-args";

const parse = (...argv: string[]) => parseFitArgs(argv, "/home/me/work", "/home/me");

function usageError(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(CliError);
    expect((e as CliError).exitCode).toBe(2);
    return (e as Error).message;
  }
  throw new Error("expected a usage error");
}

describe("parseFitArgs", () => {
  it("takes every contract option", () => {
    expect(parse("Qwen/Qwen3-8B", "--engine", "sglang", "--ctx", "32768", "--parallel", "4", "--kv-dtype", "FP8", "--quant", "awq", "--gpu-mem", "24GiB, 24GiB", "--util", "0.85", "--tp", "2", "--json")).toEqual({
      model: "Qwen/Qwen3-8B", json: true,
      options: { engine: "sglang", ctx: 32768, parallel: 4, kvDtype: "fp8", quant: "awq", util: 0.85, tp: 2, gpuMem: ["24GiB", "24GiB"] },
    });
  });

  it("resolves relative model paths against the working directory", () => {
    expect(parse("models/tiny.gguf")).toMatchObject({ model: "/home/me/work/models/tiny.gguf", json: false });
    expect(parse("~/m/x.gguf")).toMatchObject({ model: "/home/me/m/x.gguf" });
    expect(parse("--help")).toBe("help");
  });

  it("refuses what cannot work, saying what would", () => {
    expect(usageError(() => parse())).toMatch(/MODEL is missing/);
    expect(usageError(() => parse("a/b", "c/d"))).toMatch(/one MODEL only/);
    expect(usageError(() => parse("a/b", "--engine", "tgi"))).toMatch(/--engine must be one of vllm, sglang, llamacpp/);
    expect(usageError(() => parse("a/b", "--ctx", "4k"))).toMatch(/--ctx must be a whole number/);
    expect(usageError(() => parse("a/b", "--util", "90"))).toMatch(/--util must be a fraction/);
    expect(usageError(() => parse("a/b", "--kv-dtype", "int3"))).toMatch(/--kv-dtype must be one of/);
    expect(usageError(() => parse("a/b", "--gpu-mem", "24GiB,,24GiB"))).toMatch(/sizes separated by commas/);
  });
});
