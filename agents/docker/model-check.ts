/**
 * A deploy's model path must be a model, wherever Docker runs: a GGUF file (by its first bytes) or
 * a folder with config.json or safetensors weights, and never a system directory
 * (protocol/model-path.ts). With a local daemon the agent reads its own disk, before anything is
 * created; with a remote one (DOCKER_HOST=tcp://…) it asks that daemon what the created container's
 * mount holds, before the container is started.
 */
import fs from "node:fs/promises";
import path from "node:path";
import type { ModelRef } from "../../protocol/deployments";
import { modelMountSource, modelPathRefusal } from "../../protocol/model-path";
import type { DockerAdapter } from "./docker-adapter";
import { DeployError } from "./errors";

type PathRef = Exclude<ModelRef, { kind: "hf" }>;

const GGUF_MAGIC = "GGUF";
const WEIGHT_FILES = ["model.safetensors.index.json", "model.safetensors"];

const refuse = (message: string) => new DeployError("bad_request", message);
const notGguf = (p: string, node: string) => refuse(`${p} on ${node} is not a GGUF model file (a GGUF file begins with the bytes "GGUF")`);
const notModelFolder = (p: string, node: string) =>
  refuse(`${p} on ${node} has no config.json or .safetensors weights: give a Hugging Face model folder, a .gguf file or a repo id`);

/** The path as written; the agent checks it again after following links. */
export function checkModelPath(ref: PathRef): void {
  const refusal = modelPathRefusal(ref.path, ref.kind);
  if (refusal) throw refuse(refusal);
}

/** On this machine's disk (the daemon is local): links followed, then the content. */
export async function checkModelLocally(ref: PathRef, node: string): Promise<void> {
  checkModelPath(ref);
  const real = await fs.realpath(ref.path).catch(() => null);
  const st = real ? await fs.stat(real).catch(() => null) : null;
  if (!real || !st) {
    throw refuse(ref.kind === "gguf" ? `model file ${ref.path} does not exist on ${node}` : `model directory ${ref.path} does not exist on ${node}`);
  }
  // A link may lead where the path as written does not: judge where it ends, and the folder that is mounted.
  const realMount = await fs.realpath(modelMountSource(ref.path, ref.kind)).catch(() => null);
  const refusal = modelPathRefusal(real, ref.kind) ?? (realMount ? modelPathRefusal(realMount, "dir") : null);
  if (refusal) throw refuse(`${ref.path} leads to ${real}: ${refusal}`);
  if (ref.kind === "gguf") {
    if (!st.isFile()) throw refuse(`model ${ref.path} on ${node} is not a file`);
    const head = Buffer.alloc(4);
    const fh = await fs.open(real, "r");
    try {
      await fh.read(head, 0, 4, 0);
    } finally {
      await fh.close();
    }
    if (head.toString("latin1") !== GGUF_MAGIC) throw notGguf(ref.path, node);
    return;
  }
  if (!st.isDirectory()) throw refuse(`model directory ${ref.path} does not exist on ${node} (it is a file)`);
  const names = await fs.readdir(real);
  if (!names.includes("config.json") && !names.some((n) => n.endsWith(".safetensors"))) throw notModelFolder(ref.path, node);
}

/**
 * Inside the created container, as the (remote) daemon mounted it. `inContainer` is where the
 * model's profile put it (`/models/NAME`).
 */
export async function checkModelInContainer(docker: DockerAdapter, containerId: string, ref: PathRef, inContainer: string, node: string): Promise<void> {
  if (ref.kind === "gguf") {
    const entry = await docker.peekPath(containerId, inContainer, 4);
    if (!entry) throw refuse(`model file ${ref.path} does not exist on ${node} (as its Docker daemon sees it)`);
    if (entry.type !== "file") throw refuse(`model ${ref.path} on ${node} is not a file (as its Docker daemon sees it)`);
    if (entry.head.toString("latin1") !== GGUF_MAGIC) throw notGguf(ref.path, node);
    return;
  }
  const folder = await docker.peekPath(containerId, inContainer, 0);
  if (!folder || folder.type !== "dir") throw refuse(`model directory ${ref.path} does not exist on ${node} (as its Docker daemon sees it)`);
  for (const name of ["config.json", ...WEIGHT_FILES]) {
    if (await docker.peekPath(containerId, path.posix.join(inContainer, name), 0)) return;
  }
  throw notModelFolder(ref.path, node);
}
