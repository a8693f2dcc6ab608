/**
 * Homelab boxes often run without NTP. Sample timestamps come from the agent's clock; if the
 * newest sample of a message is further than `toleranceMs` from the server's clock, every sample in
 * the message is shifted by that difference, so history lines up across nodes (a backlog keeps its
 * spacing). Within tolerance the agent's own timing is kept: it is more precise than arrival time.
 */
import type { TelemetrySample } from "../../protocol/agent-wire";

export function correctClockSkew(samples: TelemetrySample[], now: number, toleranceMs = 2000): TelemetrySample[] {
  const newest = samples[samples.length - 1];
  if (!newest) return samples;
  const skew = now - newest.ts;
  if (Math.abs(skew) <= toleranceMs) return samples;
  return samples.map((s) => ({ ts: s.ts + skew, snapshot: s.snapshot }));
}
