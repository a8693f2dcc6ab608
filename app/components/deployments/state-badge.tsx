import type { DeploymentState } from "../../../protocol/deployments";
import { Badge, type BadgeTone } from "../badge";

const TONE: Record<DeploymentState, BadgeTone> = {
  ready: "ok", pending: "accent", pulling: "accent", starting: "accent", loading: "accent",
  unhealthy: "bad", failed: "bad", stopping: "off", stopped: "off", standby: "off",
};

/** A deployment's state as a coloured pill (its dot breathes while it moves); pull progress beside "pulling". */
export function StateBadge({ state, pct }: { state: DeploymentState; pct?: number | null }) {
  const tone = TONE[state];
  return (
    <Badge tone={tone} dot pulse={tone === "accent"} data-testid="deployment-state" data-state={state}>
      {state}
      {state === "pulling" && pct !== null && pct !== undefined ? ` ${pct.toFixed(0)}%` : ""}
    </Badge>
  );
}
