/**
 * What the load manager asks of a node's agent: start the deployment on chosen GPUs (the same
 * create a deploy sends, under the same id), stop and remove it, put its engine to sleep or wake
 * it, and read its last log lines for a failure message. Callers hold the node's decision lock.
 */
import { DEPLOY_ACTIONS, defaultImage, deploymentReportSchema } from "../../../protocol/deployments";
import { agentSpecOf } from "../deployments/agent-spec";
import { applyReport } from "../deployments/apply-report";
import { AGENT_TIMEOUT_MS, refusedByAgent, trackCreate } from "../deployments/context";
import { requestTail } from "../deployments/logs";
import { COLD, type DeploymentRecord } from "../deployments/types";
import type { OnDemandContext } from "./context";

export class AgentRefusal extends Error {}

/**
 * Starts `r` on `gpus` of `node`. The record moves there first (its memory is then reserved for
 * every later decision on that node); a refusal (the model is not on that node, the image is
 * missing) leaves it standby with the reason and throws AgentRefusal; an unanswered start leaves it
 * pending for the node to say (see below).
 */
export async function startOn(o: OnDemandContext, r: DeploymentRecord, node: string, gpus: number[]): Promise<void> {
  const { d } = o;
  const image = r.onDemand?.image ?? (r.onDemand ? defaultImage(r.spec.engine, gpus.length) : r.spec.image);
  const moved = await d.store.update(r.id, {
    ...COLD, node, spec: { ...r.spec, gpus, image }, state: "pending", reason: null, logs: [],
  });
  if (!moved) throw new AgentRefusal(`${r.name} was stopped`);
  // The agent's new runner counts its reports from 0 again.
  d.seqs.delete(r.id);
  const settled = trackCreate(d, r.id);
  try {
    const answer = await d.hub.request(node, DEPLOY_ACTIONS.create, await agentSpecOf(d, moved), AGENT_TIMEOUT_MS);
    await applyReport(d, node, deploymentReportSchema.parse(answer));
    o.ranOn.set(r.id, new Set([...(o.ranOn.get(r.id) ?? []), node]));
  } catch (err) {
    const message = (err as Error).message;
    if (refusedByAgent(err, d.hub.isConnected(node))) {
      await d.store.update(r.id, { ...COLD, reason: message });
      throw new AgentRefusal(message);
    }
    // Unanswered (the agent went away mid-start): it may have started it. The record stays pending:
    // the agent's next announcement says whether the container is there (it is followed to ready) or
    // not (standby again); the load waits for that within its timeout.
    d.log.warn({ deployment: r.name, node, err: message }, "an on-demand start went unanswered: waiting for the node to say what it runs");
  } finally {
    settled();
  }
}

/** Stops and removes its container; the reports this caused are applied before it returns. */
export async function stopOnAgent(o: OnDemandContext, node: string, id: string): Promise<void> {
  await o.d.hub.request(node, DEPLOY_ACTIONS.stop, { id }, AGENT_TIMEOUT_MS);
  await o.d.settle(node);
}

export async function sleepOnAgent(o: OnDemandContext, node: string, id: string): Promise<void> {
  await o.d.hub.request(node, DEPLOY_ACTIONS.sleep, { id }, AGENT_TIMEOUT_MS);
  await o.d.settle(node);
}

export async function wakeOnAgent(o: OnDemandContext, node: string, id: string): Promise<void> {
  const answer = await o.d.hub.request(node, DEPLOY_ACTIONS.wake, { id }, AGENT_TIMEOUT_MS);
  await applyReport(o.d, node, deploymentReportSchema.parse(answer));
}

/** The container's last lines (for a failure message); what the record kept when the node cannot say. */
export async function logTail(o: OnDemandContext, r: DeploymentRecord, lines = 20): Promise<string[]> {
  if (r.containerId === null || !o.d.hub.isConnected(r.node)) return r.logs.slice(-lines);
  try {
    return ((await requestTail(o.d, r, lines, 10_000)) ?? r.logs).slice(-lines);
  } catch {
    return r.logs.slice(-lines);
  }
}
