/**
 * `POST /api/deployments/:name/restart`: restarts the container; when there is none any more (a
 * failed deploy removes it), deploys the same spec again under the same id, with the API key the
 * server kept for it.
 */
import { DEPLOY_ACTIONS, deploymentReportSchema, type DeploymentView } from "../../../protocol/deployments";
import { ServiceError } from "../errors";
import { agentSpecOf } from "./agent-spec";
import { applyReport } from "./apply-report";
import { AGENT_TIMEOUT_MS, refusedByAgent, trackCreate, type DeploymentsContext } from "./context";
import { recordOr404 } from "./lookup";
import type { DeploymentRecord } from "./types";
import { toView } from "./views";

async function redeploy(ctx: DeploymentsContext, r: DeploymentRecord): Promise<unknown> {
  const spec = await agentSpecOf(ctx, r);
  // The agent's new runner counts its reports from 0 again.
  ctx.seqs.delete(r.id);
  await ctx.store.update(r.id, { state: "pending", reason: null, logs: [] });
  const settled = trackCreate(ctx, r.id);
  try {
    return await ctx.hub.request(r.node, DEPLOY_ACTIONS.create, spec, AGENT_TIMEOUT_MS);
  } catch (err) {
    // Unanswered, the agent may still start it: "pending" (not "failed" with no container, which a
    // stop would forget without asking the node) until its reports or its next announcement say.
    const refused = refusedByAgent(err, ctx.hub.isConnected(r.node));
    await ctx.store.update(r.id, { state: refused ? "failed" : "pending", reason: (err as Error).message });
    throw err;
  } finally {
    settled();
  }
}

export async function restartDeployment(ctx: DeploymentsContext, name: string): Promise<DeploymentView> {
  const r = recordOr404(ctx, name);
  if (r.desired === "stopped") throw new ServiceError("conflict", `${name} is being stopped`);
  if (r.onDemand && r.containerId === null) throw new ServiceError("conflict", `${name} is on demand and nothing runs: 'switchyard load ${name}' starts it`);
  if (!ctx.hub.isConnected(r.node)) throw new ServiceError("unavailable", `node ${r.node} is offline: start its agent and try again`);
  let answer: unknown;
  if (r.containerId === null) answer = await redeploy(ctx, r);
  else {
    try {
      answer = await ctx.hub.request(r.node, DEPLOY_ACTIONS.restart, { id: r.id }, AGENT_TIMEOUT_MS);
    } catch (err) {
      if (!(err instanceof ServiceError) || err.code !== "not_found") throw err;
      answer = await redeploy(ctx, r);
    }
  }
  const updated = await applyReport(ctx, r.node, deploymentReportSchema.parse(answer));
  ctx.log.info({ deployment: name, node: r.node }, "deployment restarted");
  return toView(ctx, updated ?? r);
}
