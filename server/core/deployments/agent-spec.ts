/**
 * A recorded deployment as the agent must receive it again (a redeploy, an on-demand load): the
 * public spec plus the secrets the server kept for it (its API key, the HF token).
 */
import type { DeploySpec } from "../../../protocol/deployments";
import { ServiceError } from "../errors";
import type { DeploymentsContext } from "./context";
import type { DeploymentRecord } from "./types";

export async function agentSpecOf(ctx: DeploymentsContext, r: DeploymentRecord): Promise<DeploySpec> {
  const { apiKey: redacted, ...rest } = r.spec.options;
  const apiKey = redacted ? (ctx.apiKeys.get(r.id) ?? (await ctx.secrets.deploymentApiKey(r.id))) : null;
  if (redacted && !apiKey) {
    // Only a deployment adopted from a node (the server's database was reset) has a key the server never saw.
    throw new ServiceError("conflict", `${r.name} was deployed with an API key this server does not have: deploy it again with its key`);
  }
  const options = apiKey ? { ...rest, apiKey } : rest;
  const hfToken = (await ctx.secrets.hfToken()) ?? undefined;
  return { ...r.spec, options, secrets: { hfToken } };
}
