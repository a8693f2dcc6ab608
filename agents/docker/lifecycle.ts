/**
 * The pure rules of a deployment's life on the agent: which exits are restarted, how long to
 * back off, and how an exit reads to a person. The runner (runner.ts) applies them.
 */
import { backoffMs } from "../../lib/backoff";
import type { RestartPolicy } from "../../protocol/deployments";

export const RESTART_BASE_MS = 1000;
export const RESTART_MAX_MS = 5 * 60_000;
/** Serving this long without a crash resets the backoff. */
export const RESTART_RESET_AFTER_MS = 10 * 60_000;

/**
 * A container that never became ready is not restarted: its first start failed for a reason a
 * restart will not fix (bad model, bad args), and the deploy reports it instead.
 */
export function shouldRestart(policy: RestartPolicy, exitCode: number | null, everReady: boolean, stopping: boolean): boolean {
  if (stopping || !everReady) return false;
  if (policy === "always") return true;
  return policy === "on-failure" && exitCode !== 0;
}

/** 1 s, 2 s, 4 s … capped at 5 min. `attempt` counts from 0. */
export function restartDelayMs(attempt: number): number {
  return backoffMs(attempt, { baseMs: RESTART_BASE_MS, maxMs: RESTART_MAX_MS });
}

export function describeExit(exitCode: number | null, oomKilled: boolean): string {
  if (oomKilled) return "the container ran out of memory and was killed (OOM)";
  if (exitCode === null) return "the container stopped";
  if (exitCode === 137) return "the container was killed (exit code 137, SIGKILL)";
  if (exitCode === 139) return "the engine crashed (exit code 139, segmentation fault)";
  return `the engine exited with code ${exitCode}`;
}
