/** What the deployment verbs share: the store, the live fleet, the way to the agents, secrets. */
import type { Logger } from "../../../lib/logger";
import type { DeploymentState } from "../../../protocol/deployments";
import type { OnDemandView } from "../../../protocol/ondemand";
import { AgentUnansweredError, ServiceError } from "../errors";
import type { Fleet } from "../fleet";
import type { Secrets } from "../secrets";
import type { FitEstimator } from "./fit-hook";
import type { LogStreams } from "./log-streams";
import type { DeploymentStore } from "./store";
import type { DeploymentRecord } from "./types";

/** What the deployments core asks of the load manager (server/core/ondemand), set once it exists. */
export interface OnDemandHooks {
  /** A report about an on-demand deployment that must not change its state (its unload's stop; a late one after it). */
  ignoresReport(r: DeploymentRecord, state: DeploymentState): boolean;
  view(r: DeploymentRecord): OnDemandView | undefined;
  /** Whether the gateway may send to it at once (an on-demand one: only while warm). */
  isWarm(r: DeploymentRecord): boolean;
}

/** The part of the agent hub deployments use (a fake in unit tests). */
export interface AgentLink {
  request(nodeName: string, action: string, payload: unknown, timeoutMs?: number): Promise<unknown>;
  isConnected(nodeName: string): boolean;
  /** The node's address as the server sees its agent's connection (null when unknown). */
  remoteAddress?(nodeName: string): string | null;
}

export interface DeploymentsContext {
  store: DeploymentStore;
  fleet: Pick<Fleet, "list" | "get">;
  hub: AgentLink;
  secrets: Pick<Secrets, "hfToken" | "deploymentApiKey" | "setDeploymentApiKey">;
  /**
   * The API key each deployment was started with, by id (mirrors the secrets store, for the
   * gateway's synchronous backend list). Server-internal: never in a view, a log or an answer.
   */
  apiKeys: Map<string, string>;
  /** Creates (and redeploys) still in flight, by deployment id: settled once the server is done with the answer. */
  creating: Map<string, Promise<void>>;
  fit: FitEstimator | null;
  streams: LogStreams;
  /** Newest report sequence applied per deployment: an older report never overwrites a newer one. */
  seqs: Map<string, number>;
  log: Logger;
  newId(): string;
  now(): number;
  ondemand: OnDemandHooks | null;
  /** Resolves once every agent event of `node` received so far is applied (events are applied in order, per node). */
  settle(node: string): Promise<void>;
}

/** Agent answers that can take a while (create pulls nothing synchronously; stop waits up to 10 s). */
export const AGENT_TIMEOUT_MS = 60_000;

/**
 * Whether an error from asking an agent is the agent's own answer (it refused: a refused create
 * leaves nothing on the node) rather than a request that went unanswered (timed out, or the
 * connection dropped: the hub's AgentUnansweredError), after which the agent may still carry it
 * out. Anything that is not a ServiceError (an answer that could not be read) is not a clean
 * refusal either.
 */
export function refusedByAgent(err: unknown, stillConnected: boolean): boolean {
  if (!(err instanceof ServiceError) || err instanceof AgentUnansweredError) return false;
  if (err.code !== "unavailable") return true;
  return stillConnected;
}

/** Marks a create (or redeploy) of `id` as in flight until the returned function is called: a stop waits for it. */
export function trackCreate(ctx: DeploymentsContext, id: string): () => void {
  let done!: () => void;
  const settledPromise = new Promise<void>((resolve) => (done = resolve));
  ctx.creating.set(id, settledPromise);
  return () => {
    if (ctx.creating.get(id) === settledPromise) ctx.creating.delete(id);
    done();
  };
}
