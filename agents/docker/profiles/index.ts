/**
 * Deploy spec → Docker create request, for every engine: the engine's own command line (its
 * profile) plus what every Switchyard container gets: labels that mark it as ours, the published
 * port, the chosen GPUs as an NVIDIA device request, the Hugging Face cache, the model's folder
 * read-only, the HF token and the engine's API key as env (never on the command line where the
 * engine has an env form), and no Docker restart policy (restarts are the agent's).
 */
import path from "node:path";
import type Docker from "dockerode";
import { publicSpec, type DeploySpec, type Engine, type EngineOptions } from "../../../protocol/deployments";
import { formatModelRef } from "../../../protocol/model-ref";
import { LABELS } from "../labels";
import { llamacppProfile } from "./llamacpp";
import { sglangProfile } from "./sglang";
import { ProfileError, type ContainerSpec, type EngineProfile, type ModelMount, type ProfileInput } from "./types";
import { vllmProfile } from "./vllm";

export { ProfileError } from "./types";
export type { ContainerSpec, EngineProfile, ProfileInput } from "./types";

export const PROFILES: Record<Engine, EngineProfile> = {
  vllm: vllmProfile,
  sglang: sglangProfile,
  llamacpp: llamacppProfile,
};

const ENGINE_LABEL: Record<Engine, string> = { vllm: "vLLM", sglang: "SGLang", llamacpp: "llama.cpp" };
const OPTION_LABEL: Record<keyof EngineOptions, string> = {
  util: "a GPU memory fraction (util)",
  kvCacheDtype: "a KV cache dtype",
  quantization: "a quantization option (pick a quantized GGUF instead)",
  parallel: "slots (parallel; that is llama.cpp's -np)",
  tp: "a tensor-parallel size",
  apiKey: "an API key",
};

export function profileFor(engine: string): EngineProfile {
  const profile = PROFILES[engine as Engine];
  if (!profile) throw new ProfileError(`unknown engine '${engine}': use one of ${Object.keys(PROFILES).join(", ")}`);
  return profile;
}

export const HF_CACHE_IN_CONTAINER = "/root/.cache/huggingface";

/** Where the model is inside the container, and what to mount for it. */
export function modelMount(spec: DeploySpec): ModelMount {
  const m = spec.model;
  if (m.kind === "hf") {
    if (m.quant && spec.engine !== "llamacpp") {
      throw new ProfileError(`'${m.repo}:${m.quant}': a ':QUANT' suffix picks a GGUF for llama.cpp's -hf; ${ENGINE_LABEL[spec.engine]} takes the repo id alone (use --quantization for its own)`);
    }
    return { arg: formatModelRef(m), binds: [] };
  }
  const base = path.posix.basename(m.path);
  if (m.kind === "gguf") return { arg: `/models/${base}`, binds: [`${path.posix.dirname(m.path)}:/models:ro`] };
  if (spec.engine === "llamacpp") {
    throw new ProfileError(`llama.cpp serves GGUF files: '${m.path}' is a directory; give the .gguf file inside it, or a repo id`);
  }
  return { arg: `/models/${base}`, binds: [`${m.path}:/models/${base}:ro`] };
}

function checkOptions(spec: DeploySpec, profile: EngineProfile): void {
  if (spec.sleepMode && !profile.sleep) throw new ProfileError(`${ENGINE_LABEL[spec.engine]} has no sleep mode: unload it by removing its container`);
  for (const [key, value] of Object.entries(spec.options) as Array<[keyof EngineOptions, unknown]>) {
    if (value !== undefined && !profile.supports.includes(key)) {
      throw new ProfileError(`${ENGINE_LABEL[spec.engine]} does not take ${OPTION_LABEL[key]}`);
    }
  }
}

export function containerName(spec: Pick<DeploySpec, "name" | "id">): string {
  return `switchyard-${spec.name}-${spec.id.replace(/[^a-zA-Z0-9]/g, "").slice(-6)}`;
}

/** The same container without an unlimited memlock (for daemons that may not raise it). */
export function withoutMemlock(spec: ContainerSpec): ContainerSpec | null {
  const ulimits = spec.HostConfig?.Ulimits ?? [];
  if (!ulimits.some((u) => u.Name === "memlock")) return null;
  return { ...spec, HostConfig: { ...spec.HostConfig, Ulimits: ulimits.filter((u) => u.Name !== "memlock") } };
}

/** Every environment variable a Switchyard container may hold a secret in (HF token, engine API keys). */
export const SECRET_ENV_VARS: readonly string[] = [
  "HF_TOKEN",
  ...new Set(Object.values(PROFILES).flatMap((p) => (p.apiKeyEnv ? [p.apiKeyEnv] : []))),
];

/** The warning a deployment carries when its engine can take the API key only on its command line. */
export function apiKeyOnCommandLineWarning(spec: Pick<DeploySpec, "engine" | "options">): string | null {
  if (!spec.options.apiKey || profileFor(spec.engine).apiKeyEnv) return null;
  return `${ENGINE_LABEL[spec.engine]} takes --api-key on its command line: visible to users of the GPU box`;
}

/**
 * The secret values a container holds, read back from it (an agent restart adopts containers whose
 * deploy request it never saw): the secret environment variables, and an `--api-key` argument.
 */
export function containerSecrets(c: { env: readonly string[]; args: readonly string[] }): string[] {
  const out = new Set<string>();
  for (const entry of c.env) {
    const eq = entry.indexOf("=");
    if (eq > 0 && SECRET_ENV_VARS.includes(entry.slice(0, eq)) && entry.length > eq + 1) out.add(entry.slice(eq + 1));
  }
  c.args.forEach((a, i) => {
    if (a === "--api-key" && c.args[i + 1]) out.add(c.args[i + 1]!);
    else if (a.startsWith("--api-key=") && a.length > 10) out.add(a.slice(10));
  });
  return [...out];
}

export function buildContainerSpec(input: ProfileInput): ContainerSpec {
  const { spec } = input;
  const profile = profileFor(spec.engine);
  checkOptions(spec, profile);
  const model = modelMount(spec);
  const portKey = `${profile.containerPort}/tcp`;
  const hostConfig: Docker.HostConfig = {
    ...profile.hostConfig,
    Binds: [`${input.hfCacheDir}:${HF_CACHE_IN_CONTAINER}`, ...model.binds],
    PortBindings: { [portKey]: [{ HostIp: input.bindAddress ?? "0.0.0.0", HostPort: String(input.hostPort) }] },
    RestartPolicy: { Name: "no" },
    ...(spec.gpus.length > 0
      ? { DeviceRequests: [{ Driver: "nvidia", DeviceIDs: spec.gpus.map(String), Capabilities: [["gpu"]] }] }
      : {}),
  };
  return {
    name: containerName(spec),
    Image: spec.image,
    ...(profile.entrypoint ? { Entrypoint: profile.entrypoint } : {}),
    Cmd: [...profile.args(spec, model), ...spec.extraArgs],
    Env: [
      ...(profile.env?.(spec) ?? []),
      ...(spec.secrets.hfToken ? [`HF_TOKEN=${spec.secrets.hfToken}`] : []),
      ...(spec.options.apiKey && profile.apiKeyEnv ? [`${profile.apiKeyEnv}=${spec.options.apiKey}`] : []),
    ],
    Labels: {
      [LABELS.managed]: "true",
      [LABELS.deployment]: spec.id,
      [LABELS.name]: spec.name,
      [LABELS.engine]: spec.engine,
      [LABELS.model]: formatModelRef(spec.model),
      [LABELS.node]: input.node,
      [LABELS.port]: String(input.hostPort),
      [LABELS.spec]: JSON.stringify(publicSpec(spec)),
    },
    ExposedPorts: { [portKey]: {} },
    HostConfig: hostConfig,
  };
}
