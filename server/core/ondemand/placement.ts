/**
 * Placement at load time, pure: of the places an on-demand deployment may run (its pinned node and
 * GPUs, or every candidate set when none was given), the one where it fits with the least eviction.
 * Ties go to a node that has the model already (it ran there before, or its files are there), then
 * to the candidates' own order (fewest deployments, most free memory).
 */
import type { RoomDecision } from "./room";

export interface PlacementOption {
  node: string;
  gpus: number[];
  decision: RoomDecision;
  /** The model ran on this node before (its files are there, its image is pulled). */
  hasModel: boolean;
}

const TIER: Record<RoomDecision["kind"], number> = { fits: 0, evict: 1, wait: 2, unknown: 3, "no-room": 4 };

function evictedBytes(d: RoomDecision): number {
  return d.kind === "evict" ? d.bytes : 0;
}

/** Best first; the input order breaks the last ties. */
export function rankPlacements(options: readonly PlacementOption[]): PlacementOption[] {
  return options
    .map((o, i) => ({ o, i }))
    .sort((a, b) =>
      TIER[a.o.decision.kind] - TIER[b.o.decision.kind] ||
      evictedBytes(a.o.decision) - evictedBytes(b.o.decision) ||
      Number(b.o.hasModel) - Number(a.o.hasModel) ||
      a.i - b.i)
    .map(({ o }) => o);
}
