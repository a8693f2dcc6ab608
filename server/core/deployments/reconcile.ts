/**
 * What agents report, folded into the records. An announcement (after every agent connection) is
 * the node's whole truth: records it confirms are updated; a container whose record was stopped
 * while the node was offline is stopped now; a container the server has no record of is adopted
 * (a server whose database was reset still shows and manages it), unless its name is taken by
 * another deployment, in which case it is an orphan and removed; a record whose container is gone
 * turns failed.
 *
 * A node speaks only for its own deployments: whatever it reports about a record on another node
 * (any id can be named) is dropped here, before it can fail, move or stop someone else's.
 */
import {
  DEPLOY_ACTIONS, DEPLOY_EVENTS, announceSchema, deploymentReportSchema, logEndSchema, logEventSchema,
  type DeploymentReport,
} from "../../../protocol/deployments";
import { applyReport } from "./apply-report";
import { AGENT_TIMEOUT_MS, type DeploymentsContext } from "./context";
import { COLD, type DeploymentRecord } from "./types";

const SETTLED = new Set(["failed", "stopped"]);

async function stopOnAgent(ctx: DeploymentsContext, node: string, id: string): Promise<void> {
  try {
    await ctx.hub.request(node, DEPLOY_ACTIONS.stop, { id }, AGENT_TIMEOUT_MS);
    const r = ctx.store.byId(id);
    if (r?.desired === "stopped") await ctx.store.remove(id);
  } catch (err) {
    ctx.log.warn({ err: (err as Error).message, node, deployment: id }, "could not stop a deployment on reconnect");
  }
}

async function adopt(ctx: DeploymentsContext, node: string, report: DeploymentReport): Promise<void> {
  const spec = report.spec;
  if (!spec) return;
  if (ctx.store.byName(spec.name)) {
    ctx.log.warn({ node, deployment: spec.name, id: report.id }, "removing an orphan container: its name belongs to another deployment");
    await stopOnAgent(ctx, node, report.id);
    return;
  }
  const now = ctx.now();
  const record: DeploymentRecord = {
    id: report.id, name: spec.name, node, spec, desired: "running", state: report.state, reason: report.reason, logs: report.logs,
    containerId: report.containerId, port: report.port, restarts: report.restarts, warnings: report.warnings, createdAt: report.startedAt ?? now,
    updatedAt: now, startedAt: report.startedAt, readyAt: report.readyAt, pids: report.pids, progress: report.progress,
    onDemand: null, lastRequestAt: null,
  };
  await ctx.store.insert(record);
  ctx.seqs.set(report.id, report.seq);
  ctx.log.info({ node, deployment: spec.name }, "adopted a deployment the server had no record of");
}

/** The record `report` names, when it is `node`'s own; another node's is logged and left alone. */
function ownRecord(ctx: DeploymentsContext, node: string, report: DeploymentReport): DeploymentRecord | null | "foreign" {
  const r = ctx.store.byId(report.id);
  if (r && r.node !== node) {
    ctx.log.warn({ node, deployment: r.name, owner: r.node }, "dropped a report about another node's deployment");
    return "foreign";
  }
  return r;
}

async function onState(ctx: DeploymentsContext, node: string, report: DeploymentReport): Promise<void> {
  const r = ownRecord(ctx, node, report);
  if (r === "foreign" || !r) {
    // A create still in flight inserted its record first; anything else unknown waits for the announcement.
    return;
  }
  if (r.desired === "stopped") {
    if (report.state === "stopped") await ctx.store.remove(r.id);
    return;
  }
  if (ctx.ondemand?.ignoresReport(r, report.state)) return;
  await applyReport(ctx, node, report);
}

/** An on-demand deployment with nothing running by the server's record, whose container the node still has. */
function unloadedButRunning(ctx: DeploymentsContext, r: DeploymentRecord): boolean {
  return r.onDemand !== null && r.state === "standby" && r.containerId === null && !ctx.creating.has(r.id);
}

async function onAnnounce(ctx: DeploymentsContext, node: string, reports: DeploymentReport[], complete: boolean): Promise<void> {
  const seen = new Set<string>();
  for (const report of reports) {
    const r = ownRecord(ctx, node, report);
    if (r === "foreign") continue;
    seen.add(report.id);
    if (!r) await adopt(ctx, node, report);
    // A stop (or an unload whose answer was lost) the node did not carry out: now it does.
    else if (r.desired === "stopped" || unloadedButRunning(ctx, r)) await stopOnAgent(ctx, node, r.id);
    else await applyReport(ctx, node, report, true);
  }
  if (!complete) return;
  for (const r of ctx.store.onNode(node)) {
    if (seen.has(r.id)) continue;
    if (r.desired === "stopped") await ctx.store.remove(r.id);
    // An on-demand deployment whose container is gone is simply cold again: the next request starts it.
    else if (r.onDemand !== null) {
      if ((r.containerId !== null || !SETTLED.has(r.state)) && r.state !== "standby" && !ctx.creating.has(r.id)) {
        await ctx.store.update(r.id, COLD);
      } else if (r.state === "standby" && r.containerId !== null) {
        await ctx.store.update(r.id, { containerId: null, port: null, pids: [] });
      }
    }
    // A pending record is gone too, unless its create is still being asked for (the agent adds it then).
    else if (!SETTLED.has(r.state) && !ctx.creating.has(r.id)) {
      await ctx.store.update(r.id, {
        state: "failed", containerId: null, pids: [], progress: null,
        reason: `the container is gone from ${node} (removed outside Switchyard, or the node was reinstalled): deploy it again`,
      });
    }
  }
}

export async function handleAgentEvent(ctx: DeploymentsContext, node: string, event: string, payload: unknown): Promise<void> {
  const drop = (error: { message: string }) => ctx.log.warn({ node, event, error: error.message.slice(0, 300) }, "malformed deployment event dropped");
  switch (event) {
    case DEPLOY_EVENTS.state: {
      const p = deploymentReportSchema.safeParse(payload);
      if (!p.success) return drop(p.error);
      await onState(ctx, node, p.data);
      return;
    }
    case DEPLOY_EVENTS.announce: {
      const p = announceSchema.safeParse(payload);
      if (!p.success) return drop(p.error);
      await onAnnounce(ctx, node, p.data.reports, p.data.complete);
      return;
    }
    case DEPLOY_EVENTS.log: {
      const p = logEventSchema.safeParse(payload);
      if (!p.success) return drop(p.error);
      ctx.streams.deliver(node, p.data.streamId, p.data.lines);
      return;
    }
    case DEPLOY_EVENTS.logEnd: {
      const p = logEndSchema.safeParse(payload);
      if (!p.success) return drop(p.error);
      ctx.streams.end(node, p.data.streamId, p.data.reason);
      return;
    }
    default:
      return;
  }
}
