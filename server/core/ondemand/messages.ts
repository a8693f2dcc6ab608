/** Room decisions in words a person can act on: what is short, and who holds the memory. */
import { formatBytes } from "../../../protocol/byte-size";
import type { Shortfall } from "./room";

function holderText(s: Shortfall): string {
  const parts = s.holders.map((h) => `${h.name} ${formatBytes(h.bytes)}${h.pinned ? " (always on)" : h.inFlight > 0 ? ` (${h.inFlight} request${h.inFlight === 1 ? "" : "s"} in flight)` : ""}`);
  if (s.otherBytes > 0) parts.push(`other programs ${formatBytes(s.otherBytes)}`);
  return parts.length ? `held by ${parts.join(", ")}` : "nothing Switchyard runs holds it";
}

/** "needs 1.2 GiB of GPU 0 of box1, 0.4 GiB can be free there (held by big 20 GiB (always on), other programs 2 GiB)". */
export function describeShortfalls(short: readonly Shortfall[]): string {
  return short
    .map((s) => `needs ${formatBytes(s.needBytes)} of ${s.label}, at most ${formatBytes(s.availableBytes)} can be free there (${holderText(s)})`)
    .join("; ");
}
