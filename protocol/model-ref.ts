/**
 * MODEL as users type it: a Hugging Face repo id (`org/name`, `org/name:Q4_K_M` for llama.cpp's
 * `-hf`), a model directory, or a GGUF file. Paths are paths on the node, so they must be absolute
 * by the time they reach the server (the CLI resolves relative ones against its working directory).
 * Pure: shared by the CLI, the server and the agent.
 */
import type { ModelRef } from "./deployments";

const HF_REPO = /^[A-Za-z0-9][A-Za-z0-9._-]*\/[A-Za-z0-9._-]+(?::[A-Za-z0-9._-]+)?$/;

export class ModelRefError extends Error {}

/** Whether the text reads as a filesystem path rather than a repo id. */
export function looksLikePath(text: string): boolean {
  return /^(\/|\.\.?\/|~\/)/.test(text) || /\.gguf$/i.test(text) || text === "." || text === "..";
}

export function parseModelRef(input: string): ModelRef {
  const text = input.trim();
  if (!text) throw new ModelRefError("MODEL is empty: give a Hugging Face repo id (org/name), a model directory or a .gguf file");
  if (looksLikePath(text)) {
    if (!text.startsWith("/")) {
      throw new ModelRefError(`model path '${text}' must be absolute: it is a path on the node`);
    }
    const path = text.length > 1 ? text.replace(/\/+$/, "") : text;
    return /\.gguf$/i.test(path) ? { kind: "gguf", path } : { kind: "dir", path };
  }
  if (!HF_REPO.test(text)) {
    throw new ModelRefError(`'${text}' is not a model: give a Hugging Face repo id (org/name), a model directory (/path/with/config.json) or a .gguf file`);
  }
  const [repo, quant] = text.split(":") as [string, string | undefined];
  return quant ? { kind: "hf", repo, quant } : { kind: "hf", repo };
}

export function formatModelRef(ref: ModelRef): string {
  if (ref.kind === "hf") return ref.quant ? `${ref.repo}:${ref.quant}` : ref.repo;
  return ref.path;
}

/** A deployment name from the model: `Qwen/Qwen3-8B` → `qwen3-8b`, `/m/tiny-Q4_K_M.gguf` → `tiny-q4_k_m`. */
export function defaultNameFor(ref: ModelRef): string {
  const base = ref.kind === "hf" ? ref.repo.split("/")[1]! : ref.path.split("/").filter(Boolean).pop() ?? "model";
  const cleaned = base
    .replace(/\.gguf$/i, "")
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, "-")
    .replace(/^[^a-z0-9]+/, "")
    .slice(0, 48)
    .replace(/[-._]+$/, "");
  return cleaned || "model";
}
