/**
 * What the rules look at, gathered once per evaluation by the sources (sources.ts) from the live
 * fleet, the deployments and the gateway. Plain data: the conditions are pure functions of it.
 */
import type { NodeView } from "../../../../protocol/live";

export interface DeploymentFacts {
  name: string;
  node: string;
  state: string;
  desired: "running" | "stopped";
  reason: string | null;
  logs: readonly string[];
  /** Times (ms) of the restarts seen within the longest loop window of any rule. */
  restartTimes: readonly number[];
}

export interface BackendFacts {
  name: string;
  /** False once its health checks fail; null before the first check, or when checks are off. */
  up: boolean | null;
  error: string | null;
  kind: string;
}

export interface RouteFacts {
  route: string;
  /** The first tier's targets (BACKEND/MODEL). */
  primary: readonly string[];
  /** Backend kinds of the primary targets ("cloud", …). */
  primaryKinds: readonly string[];
  /** Who answered its latest successful request, and when that started. */
  servedBy: string | null;
  since: number | null;
  /** Why it left the first tier (the failover's reason or the backend's health error). */
  why: string | null;
}

export interface AlertInputs {
  nodes: readonly NodeView[];
  /** Deployment name of a process on a node (host PID), where it belongs to one. */
  deploymentOfPid(node: string, pid: number): string | null;
  deployments: readonly DeploymentFacts[];
  backends: readonly BackendFacts[];
  routes: readonly RouteFacts[];
}
