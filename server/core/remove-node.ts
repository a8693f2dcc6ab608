/**
 * Forgetting a node (a retired box, the demo fleet): only while it is offline and runs no
 * deployments, and with its history, including what is still held in memory.
 */
import { ServiceError } from "./errors";
import type { Fleet } from "./fleet";
import type { History } from "./history";

export async function removeNode(name: string, deps: { fleet: Fleet; history: History; deploymentsOn: (node: string) => string[] }): Promise<void> {
  const node = deps.fleet.get(name);
  if (!node) throw new ServiceError("not_found", `no node named '${name}'`);
  if (node.online) throw new ServiceError("conflict", `node ${name} is online: stop its agent first, or it comes straight back`);
  const onIt = deps.deploymentsOn(name);
  if (onIt.length > 0) throw new ServiceError("conflict", `node ${name} still has deployments (${onIt.join(", ")}): stop them first`);
  await deps.history.flush();
  deps.history.forget(node.id, node.gpus.map((g) => g.uuid));
  await deps.fleet.remove(name);
}
