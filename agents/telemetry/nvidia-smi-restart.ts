/**
 * What the nvidia-smi runner does when its loop child ends, and the timings it keeps. Pure: the
 * runner (nvidia-smi-runner.ts) reports how the child ended and applies the decision.
 */
import { backoffMs } from "../../lib/backoff";
import { isUnavailable, withoutField, type SmiFailure } from "./nvidia-smi-parse";

export interface RestartBackoff {
  /** Backoff between restarts of a loop child that died; doubles up to max. */
  min: number;
  max: number;
}

export const DEFAULT_RESTART_BACKOFF: RestartBackoff = { min: 1_000, max: 30_000 };

/** A child that lived this long was healthy: its death restarts the backoff from the minimum. */
export const HEALTHY_AFTER_MS = 60_000;

export interface LoopEnd {
  failure: SmiFailure;
  /** Exit status, signal, or spawn error code. */
  exit: number | string | null;
  livedMs: number;
  /** The fields the child was asked for. */
  fields: readonly string[];
  /** Quick deaths in a row so far (0 after a healthy child): the backoff's attempt. */
  restarts: number;
}

export type LoopEndDecision =
  /** The driver rejected a field we can live without: start again at once without it. */
  | { action: "drop-field"; field: string; fields: string[] }
  /** No usable NVIDIA stack: report it and look again slowly. */
  | { action: "unavailable"; failure: SmiFailure }
  /** Start from scratch (probe, then loop) after `delayMs`; `restarts` is the count to keep. */
  | { action: "restart"; delayMs: number; restarts: number; warning: string };

export function onLoopEnd(end: LoopEnd, backoff: RestartBackoff = DEFAULT_RESTART_BACKOFF): LoopEndDecision {
  const { failure } = end;
  if (failure.kind === "invalid-field") {
    const fields = withoutField(end.fields, failure.field ?? "");
    if (fields !== null) return { action: "drop-field", field: failure.field ?? "", fields };
  }
  if (isUnavailable(failure)) return { action: "unavailable", failure };
  const attempt = end.livedMs >= HEALTHY_AFTER_MS ? 0 : end.restarts;
  const delayMs = backoffMs(attempt, { baseMs: backoff.min, maxMs: backoff.max });
  const reason = end.exit === 0 ? "nvidia-smi stopped unexpectedly" : failure.message;
  return { action: "restart", delayMs, restarts: attempt + 1, warning: `${reason}; restarting it in ${Math.ceil(delayMs / 1000)} s` };
}

export interface RunnerTimings {
  /** The loop's sampling interval (nvidia-smi's -lms), never below 50 ms. */
  intervalMs: number;
  /** Readings older than this are not shown as current (the loop died or the driver hangs). */
  staleMs: number;
  /** A live child silent this long is hung in a driver call: it is killed. */
  hangMs: number;
  /** Rows of one sample are this close together; a longer gap ends the batch. */
  quietMs: number;
}

export function runnerTimings(intervalMs: number): RunnerTimings {
  const interval = Math.max(50, Math.round(intervalMs));
  return {
    intervalMs: interval,
    staleMs: Math.max(5 * interval, 5_000),
    hangMs: Math.max(10 * interval, 30_000),
    quietMs: Math.min(250, interval / 2),
  };
}
