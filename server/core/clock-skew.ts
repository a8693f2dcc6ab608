/**
 * Homelab boxes often run without NTP. Sample timestamps come from the agent's clock; if the
 * agent's clock (when it sent the message, `sentAt`; else the newest sample's time) is further than
 * `toleranceMs` from the server's, every sample in the message is shifted by that difference, so
 * history lines up across nodes (a backlog keeps its spacing). Within tolerance the agent's own
 * timing is kept: it is more precise than arrival time. Without `sentAt` a batch of old samples
 * (the first part of a long backlog) would look skewed; agents send it.
 */
import type { TelemetrySample } from "../../protocol/agent-wire";

/** How far an agent's clock may be off before its samples are shifted. */
export const SKEW_TOLERANCE_MS = 2000;

export function correctClockSkew(samples: TelemetrySample[], now: number, toleranceMs = SKEW_TOLERANCE_MS, sentAt?: number): TelemetrySample[] {
  const newest = samples[samples.length - 1];
  if (!newest) return samples;
  const skew = now - (sentAt ?? newest.ts);
  if (Math.abs(skew) <= toleranceMs) return samples;
  return samples.map((s) => ({ ts: s.ts + skew, snapshot: s.snapshot }));
}
