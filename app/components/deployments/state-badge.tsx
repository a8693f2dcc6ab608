import type { DeploymentState } from "../../../protocol/deployments";

const TONE: Record<DeploymentState, "ok" | "busy" | "bad" | "off"> = {
  ready: "ok", pending: "busy", pulling: "busy", starting: "busy", loading: "busy",
  unhealthy: "bad", failed: "bad", stopping: "off", stopped: "off",
};

/** A deployment's state as a coloured pill; pull progress beside "pulling". */
export function StateBadge({ state, pct }: { state: DeploymentState; pct?: number | null }) {
  return (
    <span className={`badge dep-badge dep-${TONE[state]}`} data-testid="deployment-state" data-state={state}>
      <span className="badge-dot" aria-hidden="true" />
      {state}
      {state === "pulling" && pct !== null && pct !== undefined ? ` ${pct.toFixed(0)}%` : ""}
    </span>
  );
}
