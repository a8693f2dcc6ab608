/** Folds an agent's report into the server's record. */
import type { DeploymentReport } from "../../../protocol/deployments";
import type { DeploymentsContext } from "./context";
import type { DeploymentRecord } from "./types";

/** `force`: apply even when older than what was seen (an announcement after an agent restart). */
export async function applyReport(ctx: DeploymentsContext, report: DeploymentReport, force = false): Promise<DeploymentRecord | null> {
  const seen = ctx.seqs.get(report.id);
  if (!force && seen !== undefined && report.seq < seen) return ctx.store.byId(report.id);
  ctx.seqs.set(report.id, report.seq);
  const current = ctx.store.byId(report.id);
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
