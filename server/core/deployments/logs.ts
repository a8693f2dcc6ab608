/**
 * `GET /api/deployments/:name/logs[?follow=1]`: the container's last lines from its node, or a
 * live stream of them. With the node offline (or the container gone) the lines kept from its
 * failure are what there is.
 */
import { DEPLOY_ACTIONS } from "../../../protocol/deployments";
import { ServiceError } from "../errors";
import { AGENT_TIMEOUT_MS, type DeploymentsContext } from "./context";
import type { LogSink } from "./log-streams";
import { recordOr404 } from "./lookup";
import type { DeploymentRecord } from "./types";

export async function tailLogs(ctx: DeploymentsContext, name: string, tail: number): Promise<string[]> {
  const r = recordOr404(ctx, name);
  if (!ctx.hub.isConnected(r.node)) {
    if (r.logs.length) return r.logs.slice(-tail);
    throw new ServiceError("unavailable", `node ${r.node} is offline: its logs are there, start its agent to read them`);
  }
  return (await requestTail(ctx, r, tail)) ?? [];
}

/** The last `tail` lines the node's agent has of `r`'s container; null when its answer holds no list of lines. */
export async function requestTail(ctx: DeploymentsContext, r: DeploymentRecord, tail: number, timeoutMs = AGENT_TIMEOUT_MS): Promise<string[] | null> {
  const answer = (await ctx.hub.request(r.node, DEPLOY_ACTIONS.logs, { id: r.id, tail }, timeoutMs)) as { lines?: unknown };
  return Array.isArray(answer?.lines) ? answer.lines.filter((l): l is string => typeof l === "string") : null;
}

/** Starts a live stream into `sink`; returns the function that closes it. */
export async function followLogs(ctx: DeploymentsContext, name: string, tail: number, sink: LogSink): Promise<() => void> {
  const r = recordOr404(ctx, name);
  if (!ctx.hub.isConnected(r.node)) {
    if (r.logs.length) sink.lines(r.logs.slice(-tail));
    sink.end(`node ${r.node} is offline`);
    return () => {};
  }
  const streamId = ctx.newId();
  ctx.streams.open(streamId, r.node, sink);
  try {
    await ctx.hub.request(r.node, DEPLOY_ACTIONS.follow, { id: r.id, tail, streamId }, AGENT_TIMEOUT_MS);
  } catch (err) {
    ctx.streams.close(streamId);
    throw err;
  }
  return () => {
    if (ctx.streams.close(streamId)) void ctx.hub.request(r.node, DEPLOY_ACTIONS.unfollow, { streamId }, 10_000).catch(() => {});
  };
}
