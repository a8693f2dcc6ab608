/**
 * Each engine's health semantics (REFERENCE.md), as a pure verdict on one probe of `/health`:
 * - vLLM loads the model before it opens its port: refused means "loading", 200 means ready,
 *   and a 503 after it was ready means the engine died.
 * - SGLang opens its port early: /health answers 503 "Starting" while it warms up, then 200.
 *   (/v1/models is already 200 while starting, so it is never used as a readiness signal.)
 * - llama.cpp: /health 503 "Loading model" while loading, then 200 {"status":"ok"}.
 * Once ready, anything but 200 counts against it; UNHEALTHY_AFTER misses in a row make it unhealthy.
 */
import type { DeploymentState, Engine } from "../../protocol/deployments";

export const HEALTH_PATH = "/health";
export const UNHEALTHY_AFTER = 3;

export type Probe = { kind: "refused"; message: string } | { kind: "http"; status: number; body: string };

export type StartupVerdict = Extract<DeploymentState, "starting" | "loading" | "ready">;

/** While it has never been ready: which state the deployment is in. */
export function startupVerdict(engine: Engine, probe: Probe): StartupVerdict {
  if (probe.kind === "http" && probe.status === 200) return "ready";
  if (probe.kind === "refused") return engine === "vllm" ? "loading" : "starting";
  return "loading";
}

/** Once it was ready: whether this probe counts as healthy. */
export function servingHealthy(probe: Probe): boolean {
  return probe.kind === "http" && probe.status === 200;
}

/** Delay before the next startup probe: fast at first (small models are ready in under a second). */
export function startupProbeDelayMs(elapsedMs: number): number {
  if (elapsedMs < 10_000) return 100;
  if (elapsedMs < 60_000) return 500;
  return 2000;
}

export const SERVING_PROBE_EVERY_MS = 5000;
