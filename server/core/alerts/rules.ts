/** A rule as the engine uses it: every default applied, every duration in milliseconds. */
import type { z } from "zod";
import type { RuleConfig, ruleConfigSchema } from "./config-schema";
import { formatDuration } from "../../../protocol/duration";
import type { QuietHours } from "./quiet-hours";
import { DEFAULT_LOOP_RESTARTS, DEFAULT_LOOP_WINDOW_MS, KIND_FACTS, type RuleKind } from "./rule-kinds";
import type { Scope } from "./scope";

export interface AlertRule {
  name: string;
  source: "config" | "ui";
  when: RuleKind;
  /** The threshold (°C or %), null for rules without one. */
  above: number | null;
  forMs: number;
  repeatMs: number | null;
  notify: string[];
  sendResolved: boolean;
  quietHours: QuietHours | null;
  scope: Scope;
  loopRestarts: number;
  loopWindowMs: number;
}

export function normalizeRule(r: RuleConfig, name: string, source: AlertRule["source"]): AlertRule {
  const facts = KIND_FACTS[r.when];
  return {
    name, source, when: r.when,
    above: facts.threshold ? (r.above ?? facts.threshold.default) : null,
    forMs: r.for ?? facts.defaultForMs,
    repeatMs: r.repeat ?? null,
    notify: [...new Set(r.notify)],
    sendResolved: r.resolved ?? true,
    quietHours: r.quietHours ?? null,
    scope: { nodes: r.nodes, gpus: r.gpus, routes: r.routes, backends: r.backends, deployments: r.deployments },
    loopRestarts: r.restarts ?? DEFAULT_LOOP_RESTARTS,
    loopWindowMs: r.window ?? DEFAULT_LOOP_WINDOW_MS,
  };
}

/** Config-file rules without a name are named after their kind: `gpu-temperature`, `gpu-temperature-2`, … */
export function nameConfigRules(rules: readonly RuleConfig[]): AlertRule[] {
  const taken = new Set(rules.map((r) => r.name).filter((n): n is string => n !== undefined));
  return rules.map((r) => {
    if (r.name) return normalizeRule(r, r.name, "config");
    let name: string = r.when;
    for (let n = 2; taken.has(name); n++) name = `${r.when}-${n}`;
    taken.add(name);
    return normalizeRule(r, name, "config");
  });
}

export type RuleInput = z.input<typeof ruleConfigSchema>;

/** The rule back in the config file's shape, durations as text (the API and the dashboard's edit form). */
export function ruleToConfig(r: AlertRule): RuleInput {
  const out: RuleInput = { name: r.name, when: r.when, for: formatDuration(r.forMs), notify: r.notify };
  if (r.above !== null) out.above = r.above;
  if (r.repeatMs !== null) out.repeat = formatDuration(r.repeatMs);
  if (!r.sendResolved) out.resolved = false;
  if (r.quietHours) out.quietHours = r.quietHours;
  for (const k of ["nodes", "gpus", "routes", "backends", "deployments"] as const) if (r.scope[k]) (out as Record<string, unknown>)[k] = r.scope[k];
  if (r.when === "deployment-failed") {
    out.restarts = r.loopRestarts;
    out.window = formatDuration(r.loopWindowMs);
  }
  return out;
}
