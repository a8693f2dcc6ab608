/**
 * `switchyard deploy ENGINE MODEL [options] [-- engine args]` → the body of POST /api/deployments.
 * Pure (the working directory and home come in), so every form is table-tested.
 */
import path from "node:path";
import { parseArgs } from "node:util";
import { RESTART_POLICIES, type CreateDeploymentBody, type RestartPolicy } from "../protocol/deployments";
import { parseDuration } from "../protocol/duration";
import { MAX_IDLE_TIMEOUT_S, MAX_LOAD_TIMEOUT_S, UNLOAD_MODES, type OnDemandBody, type UnloadMode } from "../protocol/ondemand";
import { looksLikePath } from "../protocol/model-ref";
import { CliError } from "./client";

export const DEPLOY_USAGE = `Usage: switchyard deploy ENGINE MODEL [options] [-- engine args]

  ENGINE              vllm, sglang or llamacpp
  MODEL               a Hugging Face repo id (org/name; llama.cpp: org/name:Q4_K_M), a model
                      directory with config.json, or a .gguf file (paths are on the node)
Options:
  --name NAME         deployment name, also the model name clients ask for (default: from MODEL)
  --node NODE         the node to run on (default: the one with the most free VRAM)
  --gpus LIST         0,1 | all | none (default: chosen from free VRAM; none = CPU)
  --image IMAGE       container image (default: the engine's official one)
  --ctx N             context length (llama.cpp: total over all slots, as -c)
  --port N            host port (default: a free one)
  --served-name S     model name the engine serves (default: the deployment name)
  --restart POLICY    no | on-failure | always: restart after a crash, with backoff (default no)
  --util F            vLLM gpu-memory-utilization / SGLang mem-fraction-static
  --kv-cache-dtype T  KV cache type (vLLM/SGLang --kv-cache-dtype, llama.cpp -ctk/-ctv)
  --quantization Q    vLLM/SGLang --quantization
  --parallel N        llama.cpp slots (-np)
  --tp N              tensor-parallel size (default: the number of GPUs)
  --api-key KEY       API key the engine will require
  --timeout S         seconds to wait until it is ready (default 1800)
  --no-wait           return once the container started
  --json              print the deployment as JSON
On demand (models that load on their first request and unload when idle):
  --on-demand         register it without starting it (standby); the first request starts it
  --idle-timeout T    unload after T with no request in flight, e.g. 15m, 90s, 2h (default 15m)
  --load-timeout T    how long requests wait for it to load (default 10m)
  --unload MODE       remove (stop and remove the container, default) | sleep (vLLM's sleep mode)
  --preload           start it now instead of on the first request (and wait until it serves)`;

export interface DeployCommand {
  body: CreateDeploymentBody;
  wait: boolean;
  timeoutS: number;
  json: boolean;
}

export function int(name: string, v: string | undefined, min = 1): number | undefined {
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v) || Number(v) < min) throw new CliError(`--${name} must be a whole number${min > 0 ? ` of at least ${min}` : ""}, got '${v}'`, 2);
  return Number(v);
}

export function fraction(name: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0 || n > 1) throw new CliError(`--${name} must be a fraction between 0 and 1, got '${v}'`, 2);
  return n;
}

/** Relative paths and `~/` are resolved here: the server only takes absolute ones. */
export function resolveModelArg(model: string, cwd: string, home: string): string {
  if (!looksLikePath(model) || model.startsWith("/")) return model;
  if (model.startsWith("~/")) return path.join(home, model.slice(2));
  return path.resolve(cwd, model);
}

/** "15m", "90s", "2h", "1d" or plain seconds → seconds; throws a usage error naming the flag. */
export function durationS(name: string, v: string | undefined, max: number): number | undefined {
  if (v === undefined) return undefined;
  const ms = parseDuration(v);
  const s = ms === null ? null : Math.round(ms / 1000);
  if (s === null || s < 1) throw new CliError(`--${name} must be a duration like 90s, 15m or 2h, got '${v}'`, 2);
  if (s > max) throw new CliError(`--${name} must be at most ${max / 3600} h, got '${v}'`, 2);
  return s;
}

function onDemandOf(v: { "on-demand"?: boolean; "idle-timeout"?: string; "load-timeout"?: string; unload?: string; preload?: boolean }): OnDemandBody | undefined {
  const extras = (["idle-timeout", "load-timeout", "unload", "preload"] as const).filter((k) => v[k] !== undefined);
  if (!v["on-demand"]) {
    if (extras.length) throw new CliError(`--${extras[0]} is for on-demand deployments: add --on-demand`, 2);
    return undefined;
  }
  if (v.unload !== undefined && !(UNLOAD_MODES as readonly string[]).includes(v.unload)) {
    throw new CliError(`--unload must be one of ${UNLOAD_MODES.join(", ")}, got '${v.unload}'`, 2);
  }
  const body: OnDemandBody = {
    idleTimeoutS: durationS("idle-timeout", v["idle-timeout"], MAX_IDLE_TIMEOUT_S),
    loadTimeoutS: durationS("load-timeout", v["load-timeout"], MAX_LOAD_TIMEOUT_S),
    unload: v.unload as UnloadMode | undefined,
    preload: v.preload,
  };
  return Object.fromEntries(Object.entries(body).filter(([, x]) => x !== undefined)) as OnDemandBody;
}

export function parseDeployArgs(argv: string[], cwd: string, home: string): DeployCommand {
  const dash = argv.indexOf("--");
  const own = dash < 0 ? argv : argv.slice(0, dash);
  const extraArgs = dash < 0 ? [] : argv.slice(dash + 1);
  const { values: v, positionals } = parseArgs({
    args: own,
    allowPositionals: true,
    strict: true,
    options: {
      name: { type: "string" }, node: { type: "string" }, gpus: { type: "string" }, image: { type: "string" },
      ctx: { type: "string" }, port: { type: "string" }, "served-name": { type: "string" }, restart: { type: "string" },
      util: { type: "string" }, "kv-cache-dtype": { type: "string" }, quantization: { type: "string" },
      parallel: { type: "string" }, tp: { type: "string" }, "api-key": { type: "string" }, timeout: { type: "string" },
      "no-wait": { type: "boolean" }, json: { type: "boolean" },
      "on-demand": { type: "boolean" }, "idle-timeout": { type: "string" }, "load-timeout": { type: "string" },
      unload: { type: "string" }, preload: { type: "boolean" },
    },
  });
  const [engine, model, ...more] = positionals;
  if (!engine || !model) throw new CliError(`deploy needs ENGINE and MODEL\n\n${DEPLOY_USAGE}`, 2);
  if (more.length) throw new CliError(`unexpected '${more.join(" ")}': engine arguments go after '--'\n\n${DEPLOY_USAGE}`, 2);
  if (v.restart !== undefined && !(RESTART_POLICIES as readonly string[]).includes(v.restart)) {
    throw new CliError(`--restart must be one of ${RESTART_POLICIES.join(", ")}, got '${v.restart}'`, 2);
  }
  const port = int("port", v.port);
  if (port !== undefined && port > 65535) throw new CliError(`--port must be at most 65535, got ${port}`, 2);
  const options = {
    util: fraction("util", v.util), kvCacheDtype: v["kv-cache-dtype"], quantization: v.quantization,
    parallel: int("parallel", v.parallel), tp: int("tp", v.tp), apiKey: v["api-key"],
  };
  const definedOptions = Object.fromEntries(Object.entries(options).filter(([, x]) => x !== undefined));
  const onDemand = onDemandOf(v);
  const body: CreateDeploymentBody = {
    engine, model: resolveModelArg(model, cwd, home),
    ...(v.name !== undefined && { name: v.name }), ...(v.node !== undefined && { node: v.node }),
    ...(v.gpus !== undefined && { gpus: v.gpus }), ...(v.image !== undefined && { image: v.image }),
    ...(v.ctx !== undefined && { ctx: int("ctx", v.ctx) }), ...(port !== undefined && { port }),
    ...(v["served-name"] !== undefined && { servedName: v["served-name"] }),
    ...(v.restart !== undefined && { restart: v.restart as RestartPolicy }),
    ...(extraArgs.length > 0 && { extraArgs }),
    ...(Object.keys(definedOptions).length > 0 && { options: definedOptions }),
    ...(onDemand && { onDemand }),
  };
  return { body, wait: !v["no-wait"], timeoutS: int("timeout", v.timeout) ?? 1800, json: v.json ?? false };
}
