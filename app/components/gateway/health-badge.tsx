import type { AvailabilityView } from "../../../protocol/gateway";

const LABEL: Record<AvailabilityView, string> = { up: "healthy", trial: "probing", down: "down" };

/** A target's or backend's availability as the routing sees it: healthy, half-open (probing), down. */
export function HealthBadge({ availability, title }: { availability: AvailabilityView | null; title?: string }) {
  const a = availability ?? "down";
  return (
    <span className={`badge gw-badge gw-${a}`} title={title ?? (availability === null ? "unknown backend" : undefined)} data-testid="gw-health" data-availability={a}>
      <span className="badge-dot" aria-hidden="true" />
      {availability === null ? "unknown" : LABEL[a]}
    </span>
  );
}
