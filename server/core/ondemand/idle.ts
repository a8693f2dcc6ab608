/**
 * Idle unloads, pure: which on-demand deployments have had nothing in flight for their idle
 * timeout. The clock comes in; the leader's timer asks every second and unloads what is due.
 */
export interface IdleCandidate {
  id: string;
  /** Serving (ready) or asleep: what an idle unload applies to. */
  loaded: boolean;
  /** Asleep already (vLLM sleep mode): nothing more to unload by idleness. */
  sleeping: boolean;
  inFlight: number;
  idleTimeoutMs: number;
  /** The newest of: its last request (start or end), when it became ready. */
  lastActiveAt: number;
}

/** When `c` is unloaded if nothing arrives; null while it is busy or not loaded. */
export function idleUnloadAt(c: IdleCandidate): number | null {
  if (!c.loaded || c.sleeping || c.inFlight > 0) return null;
  return c.lastActiveAt + c.idleTimeoutMs;
}

/** The deployments due now, longest idle first. */
export function idleDue(candidates: readonly IdleCandidate[], now: number): string[] {
  return candidates
    .map((c) => ({ id: c.id, at: idleUnloadAt(c) }))
    .filter((c): c is { id: string; at: number } => c.at !== null && c.at <= now)
    .sort((a, b) => a.at - b.at)
    .map((c) => c.id);
}
