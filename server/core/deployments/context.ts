/** What the deployment verbs share: the store, the live fleet, the way to the agents, secrets. */
import type { Logger } from "../../../lib/logger";
import type { Fleet } from "../fleet";
import type { Secrets } from "../secrets";
import type { FitEstimator } from "./fit-hook";
import type { LogStreams } from "./log-streams";
import type { DeploymentStore } from "./store";

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
  secrets: Pick<Secrets, "hfToken">;
  fit: FitEstimator | null;
  streams: LogStreams;
  /** Newest report sequence applied per deployment: an older report never overwrites a newer one. */
  seqs: Map<string, number>;
  log: Logger;
  newId(): string;
  now(): number;
}

/** Agent answers that can take a while (create pulls nothing synchronously; stop waits up to 10 s). */
export const AGENT_TIMEOUT_MS = 60_000;
