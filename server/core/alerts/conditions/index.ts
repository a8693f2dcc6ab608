/** Each rule kind's condition: the rule and the current inputs → what is active now. */
import type { Observation } from "../engine";
import type { RuleKind } from "../rule-kinds";
import type { AlertRule } from "../rules";
import { deploymentFailed } from "./deployments";
import { diskUsage, gpuMemory, gpuTemperature, nodeOffline } from "./fleet";
import { backendDown, failover } from "./gateway";
import type { AlertInputs } from "./inputs";

type Condition = (rule: AlertRule, inputs: AlertInputs, now: number) => Observation[];

export const CONDITIONS: Record<RuleKind, Condition> = {
  "node-offline": nodeOffline,
  "gpu-temperature": gpuTemperature,
  "gpu-memory": gpuMemory,
  "disk-usage": diskUsage,
  "deployment-failed": deploymentFailed,
  "backend-down": backendDown,
  failover,
};

export function observe(rule: AlertRule, inputs: AlertInputs, now: number): Observation[] {
  return CONDITIONS[rule.when](rule, inputs, now);
}
