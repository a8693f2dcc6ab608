/** Folds an agent's report into the server's record. */
import type { DeploymentReport } from "../../../protocol/deployments";
import type { DeploymentsContext } from "./context";
import type { DeploymentRecord } from "./types";

/**
 * Applies `report`, sent by `node`'s agent, to the record it names. A node speaks only for its own
 * deployments: a report naming one on another node changes nothing and returns null (an agent can
 * say any id; the record says where the deployment runs).
 * `force`: apply even when older than what was seen (an announcement after an agent restart).
 */
export async function applyReport(ctx: DeploymentsContext, node: string, report: DeploymentReport, force = false): Promise<DeploymentRecord | null> {
  const current = ctx.store.byId(report.id);
  if (current && current.node !== node) {
    ctx.log.warn({ node, deployment: current.name, owner: current.node }, "ignored a report about another node's deployment");
    return null;
  }
  const seen = ctx.seqs.get(report.id);
  if (!force && seen !== undefined && report.seq < seen) return current;
  ctx.seqs.set(report.id, report.seq);
  const warnings = [...new Set([...(current?.warnings ?? []), ...report.warnings])];
  return ctx.store.update(report.id, {
    warnings,
    state: report.state,
    reason: report.reason,
    logs: report.logs,
    containerId: report.containerId,
    port: report.port,
    pids: report.pids,
    startedAt: report.startedAt,
    readyAt: report.readyAt,
    restarts: report.restarts,
    progress: report.progress,
  });
}
