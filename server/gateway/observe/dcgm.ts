/**
 * Fleet GPU telemetry under the DCGM exporter's metric names and labels, so Grafana dashboards built
 * for dcgm-exporter (e.g. 12239) work unchanged. Values nvidia-smi could not read (null) are left
 * out rather than reported as 0. Units as DCGM's: FB in MiB, power in W, temperature in °C.
 */
import type { NodeView } from "../../../protocol/live";
import { formatLabels } from "./prometheus";

const FIELDS = [
  ["DCGM_FI_DEV_GPU_UTIL", "gauge", "GPU utilization (in %).", (g: NodeView["gpus"][number]) => g.utilGpuPct],
  ["DCGM_FI_DEV_FB_USED", "gauge", "Framebuffer memory used (in MiB).", (g: NodeView["gpus"][number]) => g.memUsedMiB],
  ["DCGM_FI_DEV_FB_FREE", "gauge", "Framebuffer memory free (in MiB).", (g: NodeView["gpus"][number]) =>
    g.memTotalMiB !== null && g.memUsedMiB !== null ? Math.max(0, g.memTotalMiB - g.memUsedMiB) : null],
  ["DCGM_FI_DEV_GPU_TEMP", "gauge", "GPU temperature (in C).", (g: NodeView["gpus"][number]) => g.tempC],
  ["DCGM_FI_DEV_POWER_USAGE", "gauge", "Power draw (in W).", (g: NodeView["gpus"][number]) => g.powerW],
] as const;

export function renderDcgm(nodes: readonly NodeView[]): string {
  const out: string[] = [];
  for (const [name, type, help, read] of FIELDS) {
    out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    for (const node of nodes) {
      if (!node.online) continue; // a stale value from an offline box would lie
      for (const g of node.gpus) {
        const v = read(g);
        if (v === null || v === undefined) continue;
        const labels = formatLabels({ gpu: String(g.index), UUID: g.uuid, device: `nvidia${g.index}`, modelName: g.name, Hostname: node.name });
        out.push(`${name}${labels} ${v}`);
      }
    }
  }
  return out.join("\n") + "\n";
}
