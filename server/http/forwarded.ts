/**
 * The client's address behind a reverse proxy or load balancer (several servers behind nginx):
 * X-Forwarded-For is believed only when the connection comes from a proxy named in
 * SWITCHYARD_TRUSTED_PROXIES, and then only its entries added by trusted proxies: the rightmost
 * address that is not one of them. Anyone else can write that header, so without the setting it
 * is ignored. Deployment endpoints are built from an agent's address, and sign-in attempts are
 * limited per address: behind a proxy both would otherwise see only the proxy.
 */
import net from "node:net";

/** `::ffff:10.0.0.5` → `10.0.0.5`; loopback (a client on this machine) → 127.0.0.1. */
export function plainAddress(raw: string | undefined): string {
  if (!raw || raw === "::1") return "127.0.0.1";
  return raw.startsWith("::ffff:") ? raw.slice(7) : raw;
}

export type ClientAddress = (peer: string | undefined, forwardedFor: string | string[] | undefined) => string;

/** A header longer than this is not from a proxy chain of ours: it is ignored. */
const MAX_HEADER = 1024;

export function clientAddressResolver(trusted: readonly string[]): ClientAddress {
  const proxies = new Set(trusted.map(plainAddress));
  return (peer, forwardedFor) => {
    const direct = plainAddress(peer);
    if (!proxies.has(direct) || typeof forwardedFor !== "string" || forwardedFor.length > MAX_HEADER) return direct;
    const hops = forwardedFor.split(",").map((h) => plainAddress(h.trim()));
    for (let i = hops.length - 1; i >= 0; i--) {
      const hop = hops[i]!;
      if (!net.isIP(hop)) return direct; // a malformed chain: trust none of it
      if (!proxies.has(hop)) return hop;
    }
    return direct;
  };
}
