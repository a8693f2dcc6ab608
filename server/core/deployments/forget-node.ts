/**
 * A removed node's deployments: their records go with it. The node is cut off (its credential is
 * revoked), so nothing could be stopped or followed there any more, and a record left behind would
 * stay routable to a box no longer trusted. Their containers keep running on that box; if it is
 * enrolled again, its agent announces them and they are adopted back.
 */
import type { DeploymentsContext } from "./context";

export async function forgetNode(ctx: DeploymentsContext, node: string): Promise<string[]> {
  const names: string[] = [];
  for (const r of ctx.store.onNode(node)) {
    await ctx.store.remove(r.id);
    ctx.seqs.delete(r.id);
    names.push(r.name);
  }
  ctx.streams.endNode(node, `node ${node} was removed`);
  if (names.length > 0) ctx.log.warn({ node, deployments: names }, "forgot the deployments of a removed node");
  return names;
}
