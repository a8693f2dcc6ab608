/**
 * What a client's `model` means: a route (config file first, then the dashboard's), a deployment's
 * name, or a literal `BACKEND/MODEL`. Pure: the caller hands in the current backends and routes and
 * gets tiers of targets back; health and load are applied later (plan.ts).
 */
import type { RouteDef } from "../../core/gateway/route-targets";

export interface Target {
  backend: string;
  /** The backend's own name for the model: the request's model is rewritten to it. */
  model: string;
  /** "BACKEND/MODEL", as written in the config and shown in logs. */
  id: string;
}

/** Targets of equal rank; tiers are tried in order. */
export type Tier = Target[];

export type RouteSource = "config" | "ui" | "deployment" | "direct";

export interface ResolvedRoute {
  model: string;
  tiers: Tier[];
  source: RouteSource;
}

export interface RouteInputs {
  configRoutes: readonly RouteDef[];
  uiRoutes: readonly RouteDef[];
  /** Every backend known now, by name; deployments map to their served model name. */
  backends: ReadonlyMap<string, { deploymentModel?: string }>;
}

/** `box2/glm-4.5-air` → {backend: box2, model: glm-4.5-air}; the model may contain more slashes. */
export function parseTarget(text: string): Target | null {
  const slash = text.indexOf("/");
  if (slash <= 0 || slash === text.length - 1) return null;
  return { backend: text.slice(0, slash), model: text.slice(slash + 1), id: text };
}

export function toTiers(targets: RouteDef["targets"]): Tier[] {
  const tiers: Tier[] = [];
  for (const entry of targets) {
    const tier = (Array.isArray(entry) ? entry : [entry]).map(parseTarget).filter((t): t is Target => t !== null);
    if (tier.length > 0) tiers.push(tier);
  }
  return tiers;
}

export function resolveModel(model: string, inputs: RouteInputs): ResolvedRoute | null {
  const route = inputs.configRoutes.find((r) => r.model === model) ?? inputs.uiRoutes.find((r) => r.model === model);
  if (route) return { model, tiers: toTiers(route.targets), source: inputs.configRoutes.includes(route) ? "config" : "ui" };
  const deployment = inputs.backends.get(model);
  if (deployment?.deploymentModel !== undefined) {
    const target = { backend: model, model: deployment.deploymentModel, id: `${model}/${deployment.deploymentModel}` };
    return { model, tiers: [[target]], source: "deployment" };
  }
  const direct = parseTarget(model);
  if (direct && inputs.backends.has(direct.backend)) return { model, tiers: [[direct]], source: "direct" };
  return null;
}

/** Every model name a client can ask for (GET /v1/models), routes first. */
export function routableModels(inputs: RouteInputs): string[] {
  const names = new Set<string>();
  for (const r of inputs.configRoutes) names.add(r.model);
  for (const r of inputs.uiRoutes) names.add(r.model);
  for (const [name, b] of inputs.backends) if (b.deploymentModel !== undefined) names.add(name);
  return [...names];
}
