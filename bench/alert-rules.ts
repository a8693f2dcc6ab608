/**
 * The alert rules' own cost, in process: every rule of bench:telemetry's config evaluated over a
 * fleet of 100 nodes × 8 GPUs shaped like the simulated agents' (fresh values each tick), as the
 * server does once a second. A steady figure beside the noisier whole-process CPU comparison.
 */
import { observe } from "../server/core/alerts/conditions";
import type { AlertInputs } from "../server/core/alerts/conditions/inputs";
import { evaluateRule, type RuleState } from "../server/core/alerts/engine";
import { nameConfigRules } from "../server/core/alerts/rules";
import { parseConfigText } from "../server/gateway/config/load";
import { gpu, snapshot } from "../tests/helpers/samples";

function fleet(nodes: number, gpus: number): AlertInputs["nodes"] {
  const s = snapshot();
  return Array.from({ length: nodes }, (_, a) => ({
    id: `${a}`, name: `sim-${String(a).padStart(3, "0")}`, online: true, lastSeen: 0, agentVersion: "bench", facts: null as never,
    driver: s.driver, host: s.host, processes: s.processes, warnings: [],
    gpus: Array.from({ length: gpus }, (_, i) => gpu(i, { uuid: `GPU-${a}-${i}`, memUsedMiB: 1000 + Math.round(Math.random() * 20000) })),
  }));
}

/** Milliseconds of CPU per evaluation of `configYaml`'s rules, and of building the inputs alone. */
export function ruleEvaluationMs(configYaml: string, nodes: number, gpus: number, ticks = 2000): { perTickMs: number; inputsMs: number } {
  const rules = nameConfigRules(parseConfigText(configYaml, "bench.yaml", {}).alerts.rules);
  const states = new Map<string, RuleState>(rules.map((r) => [r.name, new Map()]));
  const inputsOf = (): AlertInputs => ({ nodes: fleet(nodes, gpus), deploymentOfPid: () => null, deployments: [], backends: [], routes: [] });
  let now = 0;
  const t0 = performance.now();
  for (let k = 0; k < ticks; k++) {
    const inputs = inputsOf();
    now += 1000;
    for (const r of rules) evaluateRule(r, states.get(r.name)!, observe(r, inputs, now), now, false);
  }
  const t1 = performance.now();
  for (let k = 0; k < ticks; k++) inputsOf();
  const t2 = performance.now();
  const inputsMs = (t2 - t1) / ticks;
  return { perTickMs: (t1 - t0) / ticks - inputsMs, inputsMs };
}
