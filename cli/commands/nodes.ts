import type { NodeView } from "../../protocol/live";
import type { ApiClient } from "../client";
import { ago, gib, orDash, table } from "../format";

export function renderNodes(nodes: NodeView[], now = Date.now()): string {
  if (nodes.length === 0) return "No nodes yet. Add a GPU box: see 'Add a GPU box' in the dashboard.";
  const rows: string[][] = [["NODE", "STATUS", "GPU", "NAME", "UTIL", "VRAM GiB", "TEMP", "POWER"]];
  for (const n of nodes) {
    const status = n.online ? "online" : `offline (${ago(n.lastSeen, now)})`;
    if (n.gpus.length === 0) rows.push([n.name, status, "-", "no GPUs", "", "", "", ""]);
    n.gpus.forEach((g, i) => {
      rows.push([
        i === 0 ? n.name : "", i === 0 ? status : "", String(g.index), g.name, orDash(g.utilGpuPct, "%"),
        `${gib(g.memUsedMiB)}/${gib(g.memTotalMiB)}`, orDash(g.tempC, "°C"),
        g.powerW === null ? "-" : `${g.powerW.toFixed(0)}/${orDash(g.powerLimitW)} W`,
      ]);
    });
  }
  const warnings = nodes.flatMap((n) => n.warnings.map((w) => `warning: ${n.name}: ${w}`));
  return [table(rows), ...warnings].join("\n");
}

export async function nodesCommand(client: ApiClient, args: { json: boolean }): Promise<string> {
  const nodes = await client.get<NodeView[]>("/api/nodes");
  return args.json ? JSON.stringify(nodes, null, 2) : renderNodes(nodes);
}
