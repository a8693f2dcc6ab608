/**
 * Removing a node (a retired box, a demo box, a box no longer trusted): its credential is revoked
 * and its socket closed first, so the removal cannot be raced by its agent and a compromised box
 * is cut off at once; then the node is forgotten with its history (including what is still held
 * in memory) and its deployments' records. The name can then be enrolled again.
 */
import { ServiceError } from "./errors";
import type { Fleet } from "./fleet";
import type { History } from "./history";

export interface RemoveNodeDeps {
  fleet: Fleet;
  history: History;
  /** Voids the node's credential (server/core/identity). */
  revoke?: (name: string) => Promise<unknown>;
  /** Closes the node's socket and resolves once it is offline (the agent hub). */
  cutOff?: (name: string, reason: string) => Promise<void>;
  /** Forgets the node's deployments (the deployments core). */
  forgetDeployments?: (name: string) => Promise<string[]>;
}

export async function removeNode(name: string, deps: RemoveNodeDeps): Promise<void> {
  const node = deps.fleet.get(name);
  if (!node) throw new ServiceError("not_found", `no node named '${name}'`);
  if (node.online && !deps.cutOff) throw new ServiceError("conflict", `node ${name} is online: stop its agent first, or it comes straight back`);
  await deps.revoke?.(name);
  await deps.cutOff?.(name, `node ${name} was removed from Switchyard: its credential is revoked`);
  await deps.forgetDeployments?.(name);
  await deps.history.flush();
  deps.history.forget(node.id);
  await deps.fleet.remove(name);
}
