/** deployment-failed: crashed (failed while it should run), or restarting in a loop. */
import type { Observation } from "../engine";
import { formatDuration } from "../../../../protocol/duration";
import type { AlertRule } from "../rules";
import { matchesName } from "../scope";
import type { AlertInputs } from "./inputs";

const LOG_LINES = 10;
const LOG_LINE_CHARS = 300;

export function lastLogLines(logs: readonly string[]): string {
  const lines = logs.filter((l) => l.trim() !== "").slice(-LOG_LINES).map((l) => (l.length > LOG_LINE_CHARS ? `${l.slice(0, LOG_LINE_CHARS)}…` : l));
  return lines.length ? `\nlast log lines:\n${lines.join("\n")}` : "";
}

/**
 * The agent reports a crash it is about to restart (restart policy on-failure/always) as failed with
 * "…; restarting in N s" (agents/docker/runner.ts): that one is counted as a restart, not a failure.
 */
const RESTARTING = /; restarting in \d+ s$/;

export function deploymentFailed(rule: AlertRule, inputs: AlertInputs, now: number): Observation[] {
  const out: Observation[] = [];
  for (const d of inputs.deployments) {
    if (d.desired !== "running" || !matchesName(rule.scope.nodes, d.node) || !matchesName(rule.scope.deployments, d.name)) continue;
    const recent = d.restartTimes.filter((t) => now - t <= rule.loopWindowMs).length;
    const looping = recent >= rule.loopRestarts;
    const failed = d.state === "failed" && !RESTARTING.test(d.reason ?? "");
    if (!failed && !looping) continue;
    const what = failed
      ? `failed: ${d.reason ?? "the engine stopped"}${looping ? ` (${recent} restarts in ${formatDuration(rule.loopWindowMs)})` : ""}`
      : `is restarting in a loop: ${recent} restarts in ${formatDuration(rule.loopWindowMs)} (now ${d.state})`;
    out.push({ key: d.name, subject: { node: d.node, deployment: d.name }, message: `deployment ${d.name} on ${d.node} ${what}${lastLogLines(d.logs)}` });
  }
  return out;
}
