/**
 * `switchyard fit MODEL [options] [--json]` → what to estimate. Pure (cwd and home come in), so
 * every form is table-tested. Usage errors are CliErrors with exit code 2.
 */
import { parseArgs } from "node:util";
import { ENGINES, type Engine } from "../protocol/deployments";
import type { FitKvDtype, FitRequest } from "../protocol/fit";
import { CliError } from "./client";
import { fraction, int, resolveModelArg } from "./deploy-args";

export const FIT_USAGE = `Usage: switchyard fit MODEL [options] [--json]

  MODEL               a GGUF file, a model directory with config.json, or a Hugging Face repo id
Options:
  --engine E          vllm | sglang | llamacpp (default: llamacpp for a GGUF, else vllm)
  --ctx N             context length (llama.cpp: total over all slots, as -c)
  --parallel N        concurrent sequences (llama.cpp slots, -np)
  --kv-dtype T        f16 | bf16 | fp8 | q8_0 | q4_0 (default: the engine's)
  --quant Q           weights quantization (Q4_K_M, Q8_0, awq, fp8, …)
  --gpu-mem LIST      memory of each GPU, e.g. 24GiB or 24GiB,24GiB: judge offline, no server
  --util F            vLLM gpu-memory-utilization / SGLang mem-fraction-static
  --tp N              tensor-parallel size (with the fleet: only sets of N GPUs)
  --json              print the estimate as JSON

Without --gpu-mem it asks the server (SWITCHYARD_URL, SWITCHYARD_TOKEN) where in the fleet it fits.`;

const KV = ["f32", "f16", "bf16", "fp8", "q8_0", "q4_0", "auto"] as const;

export interface FitArgs {
  model: string;
  json: boolean;
  /** The request's options as the server takes them; sizes stay as typed ("24GiB"). */
  options: Omit<FitRequest, "model" | "facts" | "gpuMem"> & { gpuMem?: string[] };
}

export function parseFitArgs(argv: string[], cwd: string, home: string): FitArgs | "help" {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      engine: { type: "string" }, ctx: { type: "string" }, parallel: { type: "string" }, "kv-dtype": { type: "string" },
      quant: { type: "string" }, "gpu-mem": { type: "string" }, util: { type: "string" }, tp: { type: "string" },
      json: { type: "boolean" }, help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) return "help";
  if (positionals.length !== 1) {
    throw new CliError(positionals.length === 0 ? `MODEL is missing\n\n${FIT_USAGE}` : `one MODEL only, got ${positionals.length}: ${positionals.join(" ")}`, 2);
  }
  const engine = values.engine;
  if (engine !== undefined && !(ENGINES as readonly string[]).includes(engine)) {
    throw new CliError(`--engine must be one of ${ENGINES.join(", ")}, got '${engine}'`, 2);
  }
  const kv = values["kv-dtype"]?.toLowerCase();
  if (kv !== undefined && !(KV as readonly string[]).includes(kv)) throw new CliError(`--kv-dtype must be one of ${KV.join(", ")}, got '${values["kv-dtype"]}'`, 2);
  const gpuMem = values["gpu-mem"]?.split(",").map((s) => s.trim());
  if (gpuMem?.some((s) => s === "")) throw new CliError(`--gpu-mem takes sizes separated by commas, e.g. 24GiB,24GiB; got '${values["gpu-mem"]}'`, 2);
  return {
    model: resolveModelArg(positionals[0]!, cwd, home),
    json: values.json ?? false,
    options: {
      engine: engine as Engine | undefined,
      ctx: int("ctx", values.ctx),
      parallel: int("parallel", values.parallel),
      kvDtype: kv as FitKvDtype | "auto" | undefined,
      quant: values.quant,
      util: fraction("util", values.util),
      tp: int("tp", values.tp),
      gpuMem,
    },
  };
}
