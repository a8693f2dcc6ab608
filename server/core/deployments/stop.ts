/**
 * `DELETE /api/deployments/:name`: the agent stops and removes the container, then the record
 * goes (and the API key kept for it). With the node offline the stop is remembered (desired:
 * stopped) and carried out when its agent reconnects and announces the container. A stop while
 * the deploy is still being asked for waits for that answer first: a stop that overtook the
 * create would find nothing, and the container started after it would outlive its record.
 */
import { DEPLOY_ACTIONS } from "../../../protocol/deployments";
import { ServiceError } from "../errors";
import { AGENT_TIMEOUT_MS, type DeploymentsContext } from "./context";
import { recordOr404 } from "./lookup";

export interface StopResult {
  name: string;
  /** True once the container is gone; false while the node is offline. */
  removed: boolean;
  message: string;
}

export async function stopDeployment(ctx: DeploymentsContext, name: string): Promise<StopResult> {
  let r = recordOr404(ctx, name);
  if (r.containerId === null && (r.state === "failed" || r.state === "stopped" || r.state === "standby")) {
    // Nothing on the node (a failed deploy removes its container): forget the record.
    await ctx.store.remove(r.id);
    return { name, removed: true, message: `${name} removed` };
  }
  await ctx.store.update(r.id, { desired: "stopped", state: "stopping" });
  const creating = ctx.creating.get(r.id);
  if (creating) {
    await creating;
    const now = ctx.store.byId(r.id);
    // Refused, or unanswered and already stopped: nothing is left.
    if (!now) return { name, removed: true, message: `${name} stopped and removed from ${r.node}` };
    r = now;
  }
  if (!ctx.hub.isConnected(r.node)) {
    return { name, removed: false, message: `node ${r.node} is offline: ${name} will be stopped and removed when its agent reconnects` };
  }
  try {
    await ctx.hub.request(r.node, DEPLOY_ACTIONS.stop, { id: r.id }, AGENT_TIMEOUT_MS);
  } catch (err) {
    if (err instanceof ServiceError && err.code === "unavailable" && !ctx.hub.isConnected(r.node)) {
      return { name, removed: false, message: `node ${r.node} went offline: ${name} will be stopped and removed when its agent reconnects` };
    }
    throw err;
  }
  await ctx.store.remove(r.id);
  ctx.seqs.delete(r.id);
  ctx.log.info({ deployment: name, node: r.node }, "deployment stopped");
  return { name, removed: true, message: `${name} stopped and removed from ${r.node}` };
}
