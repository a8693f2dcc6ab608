/**
 * `POST /api/deployments/:name/restart`: restarts the container; when there is none any more (a
 * failed deploy removes it), deploys the same spec again under the same id.
 */
import { DEPLOY_ACTIONS, deploymentReportSchema, type DeploymentView } from "../../../protocol/deployments";
import { ServiceError } from "../errors";
import { applyReport } from "./apply-report";
import { AGENT_TIMEOUT_MS, type DeploymentsContext } from "./context";
import { recordOr404 } from "./lookup";
import type { DeploymentRecord } from "./types";
import { toView } from "./views";

async function redeploy(ctx: DeploymentsContext, r: DeploymentRecord): Promise<unknown> {
  if (r.spec.options.apiKey) {
    throw new ServiceError("conflict", `${r.name} was deployed with an API key, which Switchyard does not keep: deploy it again with its key`);
  }
  const hfToken = (await ctx.secrets.hfToken()) ?? undefined;
  const { apiKey: _redacted, ...options } = r.spec.options;
  // The agent's new runner counts its reports from 0 again.
  ctx.seqs.delete(r.id);
  await ctx.store.update(r.id, { state: "pending", reason: null, logs: [] });
  try {
    return await ctx.hub.request(r.node, DEPLOY_ACTIONS.create, { ...r.spec, options, secrets: { hfToken } }, AGENT_TIMEOUT_MS);
  } catch (err) {
    await ctx.store.update(r.id, { state: "failed", reason: (err as Error).message });
    throw err;
  }
}

export async function restartDeployment(ctx: DeploymentsContext, name: string): Promise<DeploymentView> {
  const r = recordOr404(ctx, name);
  if (r.desired === "stopped") throw new ServiceError("conflict", `${name} is being stopped`);
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
  const updated = await applyReport(ctx, deploymentReportSchema.parse(answer));
  ctx.log.info({ deployment: name, node: r.node }, "deployment restarted");
  return toView(ctx, updated ?? r);
}
