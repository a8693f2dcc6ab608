/** Gateway conditions: backend-down (health checks failing) and failover (a route's traffic off its first tier). */
import type { Observation } from "../engine";
import type { AlertRule } from "../rules";
import { matchesName } from "../scope";
import type { AlertInputs } from "./inputs";

export function backendDown(rule: AlertRule, inputs: AlertInputs): Observation[] {
  const out: Observation[] = [];
  for (const b of inputs.backends) {
    if (b.up !== false || !matchesName(rule.scope.backends, b.name)) continue;
    out.push({ key: b.name, subject: { backend: b.name }, message: `backend ${b.name} is down: ${b.error ?? "its health check fails"}` });
  }
  return out;
}

export function failover(rule: AlertRule, inputs: AlertInputs): Observation[] {
  const out: Observation[] = [];
  for (const r of inputs.routes) {
    if (r.servedBy === null || r.primary.includes(r.servedBy) || !matchesName(rule.scope.routes, r.route)) continue;
    const cloud = r.primaryKinds.length > 0 && r.primaryKinds.every((k) => k === "cloud");
    const head = cloud ? "cloud outage" : `${r.primary.join(", ")} unavailable`;
    const why = r.why ? ` (${r.primary[0]}: ${r.why})` : "";
    out.push({ key: `route:${r.route}`, subject: { route: r.route }, message: `${head}: ${r.route} now served by ${r.servedBy}${why}` });
  }
  return out;
}
