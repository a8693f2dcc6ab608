/** The alert rules (CONTRACT.md "Alerts", plus disk-usage) and what each one may be given. */
export const RULE_KINDS = ["node-offline", "gpu-temperature", "gpu-memory", "disk-usage", "deployment-failed", "backend-down", "failover"] as const;
export type RuleKind = (typeof RULE_KINDS)[number];

interface KindFacts {
  /** What `above` means, when the rule has a threshold. */
  threshold: { unit: string; default: number; max: number } | null;
  /** How long the condition holds before it fires, when `for` is not given. */
  defaultForMs: number;
  /** Scope lists that make sense for it. */
  scopes: ReadonlyArray<"nodes" | "gpus" | "routes" | "backends" | "deployments">;
}

export const KIND_FACTS: Record<RuleKind, KindFacts> = {
  "node-offline": { threshold: null, defaultForMs: 30_000, scopes: ["nodes"] },
  "gpu-temperature": { threshold: { unit: "°C", default: 85, max: 200 }, defaultForMs: 60_000, scopes: ["nodes", "gpus"] },
  "gpu-memory": { threshold: { unit: "%", default: 95, max: 100 }, defaultForMs: 60_000, scopes: ["nodes", "gpus"] },
  "disk-usage": { threshold: { unit: "%", default: 90, max: 100 }, defaultForMs: 300_000, scopes: ["nodes"] },
  "deployment-failed": { threshold: null, defaultForMs: 0, scopes: ["nodes", "deployments"] },
  "backend-down": { threshold: null, defaultForMs: 30_000, scopes: ["backends"] },
  failover: { threshold: null, defaultForMs: 0, scopes: ["routes"] },
};

/** deployment-failed: this many restarts within the window count as a restart loop. */
export const DEFAULT_LOOP_RESTARTS = 3;
export const DEFAULT_LOOP_WINDOW_MS = 10 * 60_000;
