/** A deployment as the server holds it: the public spec, what was asked, and what the node reported. */
import type { DeploymentState, PublicSpec } from "../../../protocol/deployments";
import type { OnDemandPolicy } from "../../../protocol/ondemand";

export interface DeploymentRecord {
  id: string;
  name: string;
  node: string;
  spec: PublicSpec;
  desired: "running" | "stopped";
  state: DeploymentState;
  reason: string | null;
  logs: string[];
  containerId: string | null;
  port: number | null;
  restarts: number;
  warnings: string[];
  createdAt: number;
  updatedAt: number;
  startedAt: number | null;
  readyAt: number | null;
  /** Deployed with --on-demand: its policy; null for one that always runs ("pinned"). */
  onDemand: OnDemandPolicy | null;
  /** Newest gateway request for it (persisted every few seconds by the load manager, not per request). */
  lastRequestAt: number | null;
  /** Live only (not persisted): host PIDs of its processes and pull progress. */
  pids: number[];
  progress: { pct: number | null; text: string } | null;
}

/** An on-demand deployment with nothing running (unloaded, or its container gone): the next request starts it. */
export const COLD: Partial<DeploymentRecord> = { state: "standby", containerId: null, port: null, pids: [], startedAt: null, readyAt: null, progress: null };
