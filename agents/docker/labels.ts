/**
 * The labels that make a container Switchyard's. The agent touches no container without
 * `switchyard.managed=true` and its own node name (several agents may share one daemon).
 */
export const LABELS = {
  managed: "switchyard.managed",
  deployment: "switchyard.deployment",
  name: "switchyard.name",
  engine: "switchyard.engine",
  model: "switchyard.model",
  node: "switchyard.node",
  port: "switchyard.port",
  /** The public deploy spec as JSON (never secrets), so an agent restart can adopt the container. */
  spec: "switchyard.spec",
} as const;

export function isOurs(labels: Record<string, string> | undefined | null, node: string): boolean {
  return labels?.[LABELS.managed] === "true" && labels[LABELS.node] === node && Boolean(labels[LABELS.deployment]);
}
