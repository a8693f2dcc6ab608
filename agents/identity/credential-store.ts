/**
 * The node's credentials on the box, one file per control plane (and node name):
 * `$SWITCHYARD_AGENT_STATE/<control plane>/<node>.json`, directories 0700, files 0600, written
 * atomically. Also used by the server to hand its own local and demo agents their credentials.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { z } from "zod";
import { CONTROL_PLANE_PATTERN, NODE_NAME_PATTERN } from "../../protocol/agent-identity";

/** Server URLs remembered per credential: which of them belong to its control plane. */
const MAX_SERVERS = 16;

const storedSchema = z.object({
  v: z.literal(1),
  controlPlane: z.string().regex(CONTROL_PLANE_PATTERN),
  node: z.string().regex(NODE_NAME_PATTERN),
  credential: z.string().min(1).max(200),
  servers: z.array(z.string().max(2048)).max(MAX_SERVERS),
  savedAt: z.number(),
  /** Set when the server said it was revoked (the node was removed): never presented again. */
  revoked: z.boolean().optional(),
});
export type StoredCredential = z.infer<typeof storedSchema>;

export function defaultStateDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.SWITCHYARD_AGENT_STATE || path.join(os.homedir(), ".local", "state", "switchyard-agent");
}

export interface CredentialStore {
  readonly dir: string;
  /** Creates the directory (0700), or tightens one that others can read; throws when it cannot. */
  prepare(): void;
  /** Every credential kept for `node`, one per control plane. */
  list(node: string): StoredCredential[];
  /** Saves (replaces) one; returns its path. */
  save(entry: Omit<StoredCredential, "v" | "savedAt">): string;
  /** Notes that `serverUrl` belongs to the credential's control plane (or, with `belongs` false, not). */
  noteServer(controlPlane: string, node: string, serverUrl: string, belongs: boolean): void;
  markRevoked(controlPlane: string, node: string): void;
  /** Deletes one: its own control plane does not know it (an enrollment that was never confirmed). */
  forget(controlPlane: string, node: string): void;
  pathOf(controlPlane: string, node: string): string;
}

function ensurePrivateDir(dir: string): void {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  if ((fs.statSync(dir).mode & 0o077) !== 0) fs.chmodSync(dir, 0o700);
}

export function createCredentialStore(dir: string = defaultStateDir()): CredentialStore {
  const pathOf = (controlPlane: string, node: string) => {
    // Both come from elsewhere (the server, the command line): never let them name another path.
    if (!CONTROL_PLANE_PATTERN.test(controlPlane) || !NODE_NAME_PATTERN.test(node)) throw new Error(`not a valid control plane or node name: ${controlPlane}/${node}`);
    return path.join(dir, controlPlane, `${node}.json`);
  };

  const read = (file: string): StoredCredential | null => {
    try {
      const parsed = storedSchema.safeParse(JSON.parse(fs.readFileSync(file, "utf8")));
      return parsed.success ? parsed.data : null;
    } catch {
      return null;
    }
  };

  const write = (entry: StoredCredential): string => {
    const file = pathOf(entry.controlPlane, entry.node);
    ensurePrivateDir(dir);
    ensurePrivateDir(path.dirname(file));
    const tmp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, `${JSON.stringify(entry, null, 2)}\n`, { mode: 0o600 });
    fs.chmodSync(tmp, 0o600); // the umask cannot loosen it
    fs.renameSync(tmp, file);
    return file;
  };

  const update = (controlPlane: string, node: string, change: (e: StoredCredential) => StoredCredential) => {
    const current = read(pathOf(controlPlane, node));
    if (current) write(change(current));
  };

  return {
    dir,
    prepare: () => ensurePrivateDir(dir),
    list(node) {
      let planes: string[];
      try {
        planes = fs.readdirSync(dir).filter((d) => CONTROL_PLANE_PATTERN.test(d));
      } catch {
        return [];
      }
      return planes.map((cp) => read(path.join(dir, cp, `${node}.json`))).filter((e): e is StoredCredential => e !== null && e.node === node);
    },
    save: (entry) => write({ ...entry, v: 1, savedAt: Date.now(), servers: entry.servers.slice(-MAX_SERVERS) }),
    noteServer(controlPlane, node, serverUrl, belongs) {
      update(controlPlane, node, (e) => {
        const others = e.servers.filter((s) => s !== serverUrl);
        return { ...e, servers: belongs ? [...others, serverUrl].slice(-MAX_SERVERS) : others };
      });
    },
    markRevoked: (controlPlane, node) => update(controlPlane, node, (e) => ({ ...e, revoked: true })),
    forget: (controlPlane, node) => fs.rmSync(pathOf(controlPlane, node), { force: true }),
    pathOf,
  };
}
