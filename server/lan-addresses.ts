/**
 * The addresses this server can be reached at from the LAN: non-internal interfaces, IPv4 first,
 * IPv6 link-local ones left out (they need an interface name to be used). Container bridges stay
 * in: on a homelab box they are rare, and a wrong choice is visible in the dashboard's list.
 */
import os from "node:os";

type Interfaces = ReturnType<typeof os.networkInterfaces>;

export function lanAddresses(interfaces: Interfaces = os.networkInterfaces()): string[] {
  const v4: string[] = [];
  const v6: string[] = [];
  for (const list of Object.values(interfaces)) {
    for (const a of list ?? []) {
      if (a.internal) continue;
      if (a.family === "IPv4") v4.push(a.address);
      else if (!a.address.toLowerCase().startsWith("fe80:")) v6.push(a.address);
    }
  }
  return [...new Set([...v4, ...v6])].slice(0, 16);
}
