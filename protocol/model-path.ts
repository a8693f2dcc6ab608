/**
 * Which host paths a deployment may mount as its model. A deployment mounts its model folder, or
 * the folder of its GGUF file (llama.cpp finds split files beside it), read-only into a container
 * running whatever image was asked for; so system directories are never mounted, whatever the model
 * check on the node says. Pure: the server checks the path as given, the agent again on the node's
 * resolved path (symbolic links followed).
 */
export type ModelPathKind = "gguf" | "dir";

/** Never mounted, nor anything inside them: configuration, kernel and device files, runtime sockets, Docker's own state. */
const SYSTEM_TREES = ["/etc", "/proc", "/sys", "/dev", "/boot", "/run", "/var/run", "/var/lib/docker", "/var/lib/containerd"];
/** Never mounted themselves (folders inside them are fine: /home/me/models, /srv/llm). */
const SYSTEM_DIRS = new Set([
  "/", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/usr", "/usr/bin", "/usr/sbin", "/usr/lib", "/usr/local",
  "/usr/share", "/var", "/var/lib", "/root", "/home", "/opt", "/srv", "/mnt", "/media", "/tmp", "/snap",
]);

/** The host folder the container gets for this model. */
export function modelMountSource(path: string, kind: ModelPathKind): string {
  if (kind === "dir") return path;
  const slash = path.lastIndexOf("/");
  return slash <= 0 ? "/" : path.slice(0, slash);
}

const inside = (p: string, tree: string) => p === tree || p.startsWith(`${tree}/`);

/** Why this absolute path may not be a deployment's model, or null when it may. */
export function modelPathRefusal(path: string, kind: ModelPathKind): string | null {
  if (/[\u0000-\u001f\u007f:,]/.test(path)) {
    return `model path '${path.replace(/[\u0000-\u001f\u007f]/g, "?")}' may not contain ':' or ',' or control characters (Docker reads them as mount options)`;
  }
  if (!path.startsWith("/")) return `model path '${path}' must be absolute: it is a path on the node`;
  if (path !== "/" && path.slice(1).split("/").some((s) => s === "" || s === "." || s === "..")) {
    return `model path '${path}' must be written plainly, without '.', '..' or '//'`;
  }
  const mount = modelMountSource(path, kind);
  const tree = SYSTEM_TREES.find((t) => inside(path, t) || inside(mount, t));
  if (tree) return `${path} is inside ${tree}, a system directory: a deployment never mounts it`;
  if (/(^|\/)docker\.sock$/.test(path)) return `${path} is Docker's socket: a deployment never mounts it`;
  if (SYSTEM_DIRS.has(mount)) {
    return kind === "gguf"
      ? `${path} sits directly in ${mount}, and a container gets the whole folder of its GGUF file: move the file into a folder of its own (e.g. ${mount === "/" ? "" : mount}/models/)`
      : `${path} is a system directory, not a model folder: give the folder that holds the model's config.json`;
  }
  return null;
}
