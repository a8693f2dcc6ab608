import type { AvailabilityView } from "../../../protocol/gateway";
import { Badge, type BadgeTone } from "../badge";

const LABEL: Record<AvailabilityView, string> = { up: "healthy", trial: "probing", down: "down" };
const TONE: Record<AvailabilityView, BadgeTone> = { up: "ok", trial: "accent", down: "bad" };

/** A target's or backend's availability as the routing sees it: healthy, half-open (probing), down. */
export function HealthBadge({ availability, title }: { availability: AvailabilityView | null; title?: string }) {
  const a = availability ?? "down";
  return (
    <Badge tone={TONE[a]} dot title={title ?? (availability === null ? "unknown backend" : undefined)} data-testid="gw-health" data-availability={a}>
      {availability === null ? "unknown" : LABEL[a]}
    </Badge>
  );
}
