/**
 * The deploy form's fields → the POST /api/deployments body, with a message per field that is
 * wrong. Pure, so the form and the command line it shows are tested without a browser.
 */
import type { CreateDeploymentBody, RestartPolicy } from "../../protocol/deployments";
// The engine list from its zod-free module: this file runs in the browser.
import { ENGINES, type Engine } from "../../protocol/engines";
import { parseDuration } from "../../protocol/duration";

export interface DeployForm {
  engine: Engine;
  model: string;
  name: string;
  node: string;
  /** "auto", "none" (CPU), or the picked indices. */
  gpuMode: "auto" | "none" | "pick";
  gpus: number[];
  image: string;
  ctx: string;
  port: string;
  restart: RestartPolicy;
  util: string;
  kvCacheDtype: string;
  parallel: string;
  extraArgs: string;
  /** Register it on demand: it loads on the first request and unloads when idle. */
  onDemand: boolean;
  idleTimeout: string;
  unload: "remove" | "sleep";
  preload: boolean;
}

export const emptyForm: DeployForm = {
  engine: "llamacpp", model: "", name: "", node: "", gpuMode: "auto", gpus: [], image: "", ctx: "", port: "",
  restart: "no", util: "", kvCacheDtype: "", parallel: "", extraArgs: "",
  onDemand: false, idleTimeout: "", unload: "remove", preload: false,
};

/** The on-demand part of the body; an error message for the idle timeout when it is not a duration. */
function onDemandOf(f: DeployForm, errors: Partial<Record<keyof DeployForm, string>>): CreateDeploymentBody["onDemand"] {
  if (!f.onDemand) return undefined;
  const ms = f.idleTimeout.trim() ? parseDuration(f.idleTimeout) : null;
  if (f.idleTimeout.trim() && (ms === null || ms < 1000)) errors.idleTimeout = "a duration like 90s, 15m or 2h";
  return {
    ...(ms !== null && ms >= 1000 && { idleTimeoutS: Math.round(ms / 1000) }),
    ...(f.unload === "sleep" && f.engine === "vllm" && { unload: "sleep" as const }),
    ...(f.preload && { preload: true }),
  };
}

export const ENGINE_LABELS: Record<Engine, string> = { vllm: "vLLM", sglang: "SGLang", llamacpp: "llama.cpp" };
export { ENGINES };

/** Splits like a shell would for simple cases: spaces separate, quotes group. */
export function splitArgs(text: string): string[] {
  const out: string[] = [];
  const re = /"([^"]*)"|'([^']*)'|(\S+)/g;
  for (let m = re.exec(text); m; m = re.exec(text)) out.push(m[1] ?? m[2] ?? m[3]!);
  return out;
}

export function formToBody(f: DeployForm): { body: CreateDeploymentBody | null; errors: Partial<Record<keyof DeployForm, string>> } {
  const errors: Partial<Record<keyof DeployForm, string>> = {};
  const int = (key: "ctx" | "port" | "parallel", max = Number.MAX_SAFE_INTEGER) => {
    const v = f[key].trim();
    if (!v) return undefined;
    if (!/^\d+$/.test(v) || Number(v) < 1 || Number(v) > max) errors[key] = "a whole number";
    return Number(v);
  };
  if (!f.model.trim()) errors.model = "a repo id (org/name), a model folder or a .gguf path on the node";
  const ctx = int("ctx");
  const port = int("port", 65535);
  const parallel = f.engine === "llamacpp" ? int("parallel") : undefined;
  let util: number | undefined;
  if (f.engine !== "llamacpp" && f.util.trim()) {
    util = Number(f.util);
    if (!(util > 0 && util <= 1)) errors.util = "a fraction between 0 and 1";
  }
  if (f.gpuMode === "pick" && f.gpus.length === 0) errors.gpus = "pick at least one GPU, or choose Auto or CPU";
  if (f.name && !/^[a-z0-9][a-z0-9._-]{0,62}$/.test(f.name)) errors.name = "lowercase letters, digits, '.', '_', '-'";
  const options = Object.fromEntries(
    Object.entries({ util, kvCacheDtype: f.kvCacheDtype.trim() || undefined, parallel }).filter(([, v]) => v !== undefined),
  );
  const extraArgs = splitArgs(f.extraArgs);
  const onDemand = onDemandOf(f, errors);
  const body: CreateDeploymentBody = {
    engine: f.engine, model: f.model.trim(),
    ...(f.name && { name: f.name }), ...(f.node && { node: f.node }),
    ...(f.gpuMode === "none" && { gpus: "none" }), ...(f.gpuMode === "pick" && f.gpus.length > 0 && { gpus: [...f.gpus].sort((a, b) => a - b).join(",") }),
    ...(f.image.trim() && { image: f.image.trim() }), ...(ctx !== undefined && { ctx }), ...(port !== undefined && { port }),
    ...(f.restart !== "no" && { restart: f.restart }),
    ...(extraArgs.length > 0 && { extraArgs }),
    ...(Object.keys(options).length > 0 && { options }),
    ...(onDemand && { onDemand }),
  };
  return { body: Object.keys(errors).length ? null : body, errors };
}
