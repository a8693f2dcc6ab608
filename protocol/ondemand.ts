/**
 * Models on demand on the wire: the policy a deployment is registered with (`deploy --on-demand`),
 * what the REST API and the dashboard see of it, and the bounds every field has. A deployment with
 * a policy is `standby` (registered, nothing running) until a request or `switchyard load` starts
 * it, and returns to `standby` after its idle timeout with nothing in flight.
 */
import { z } from "zod";

/** `remove`: stop and remove the container. `sleep`: vLLM's sleep mode (level 1), the container stays. */
export const UNLOAD_MODES = ["remove", "sleep"] as const;
export type UnloadMode = (typeof UNLOAD_MODES)[number];

export const ONDEMAND_DEFAULTS = { idleTimeoutS: 15 * 60, loadTimeoutS: 10 * 60, unload: "remove" as UnloadMode };
/** A month: longer than that is not "idle", it is pinned. */
export const MAX_IDLE_TIMEOUT_S = 30 * 86_400;
export const MAX_LOAD_TIMEOUT_S = 24 * 3600;

/** `onDemand` in the body of `POST /api/deployments`. */
export const onDemandBodySchema = z.object({
  idleTimeoutS: z.number().int().min(1).max(MAX_IDLE_TIMEOUT_S).optional(),
  loadTimeoutS: z.number().int().min(1).max(MAX_LOAD_TIMEOUT_S).optional(),
  unload: z.enum(UNLOAD_MODES).optional(),
  /** Start it now instead of on the first request. */
  preload: z.boolean().optional(),
}).strict();
export type OnDemandBody = z.infer<typeof onDemandBodySchema>;

/**
 * The policy kept with the deployment (database, JSON). `node`/`gpus`/`image` are what the user
 * asked for: null means chosen each time it loads (placement at load time).
 */
export const onDemandPolicySchema = z.object({
  idleTimeoutS: z.number().int().min(1).max(MAX_IDLE_TIMEOUT_S),
  loadTimeoutS: z.number().int().min(1).max(MAX_LOAD_TIMEOUT_S),
  unload: z.enum(UNLOAD_MODES),
  node: z.string().max(128).nullable(),
  gpus: z.union([z.string().max(200), z.array(z.number().int().nonnegative()).max(64)]).nullable(),
  image: z.string().max(300).nullable(),
});
export type OnDemandPolicy = z.infer<typeof onDemandPolicySchema>;

/** How the last load went (kept in memory by the server that ran it). */
export interface LoadOutcomeView {
  at: number;
  ok: boolean;
  ms: number;
  error: string | null;
  logs: string[];
}

/** What REST clients and the dashboard see of an on-demand deployment (`DeploymentView.onDemand`). */
export interface OnDemandView {
  idleTimeoutS: number;
  loadTimeoutS: number;
  unload: UnloadMode;
  /** True when --node or --gpus was left out: where it runs is chosen each time it loads. */
  placedAtLoad: boolean;
  /** Start (or end) of the newest request through the gateway. */
  lastRequestAt: number | null;
  /** Requests through the gateway now (this server's). */
  inFlight: number;
  /** Requests waiting for its load now. */
  waiting: number;
  /** When it is unloaded if nothing else arrives (null: not loaded, or busy). */
  idleUnloadAt: number | null;
  /** When the load under way began. */
  loadingSince: number | null;
  /** The engine sleeps (vLLM sleep mode): its container runs, its weights wait in CPU memory. */
  sleeping: boolean;
  /** The estimate its start must find room for: per GPU, or in CPU memory for --gpus none. */
  estimate: { perGpuBytes: number[]; cpuBytes: number } | null;
  /** What it holds now: GPU memory (measured per process where telemetry says, else the estimate), CPU memory. */
  held: { gpuBytes: number; cpuBytes: number } | null;
  lastLoad: LoadOutcomeView | null;
}

/** `?wait=` on `POST /api/deployments/:name/load|unload`: seconds to wait for the outcome (0: answer at once). */
export const loadQuerySchema = z.object({ wait: z.coerce.number().int().min(0).max(MAX_LOAD_TIMEOUT_S).optional() }).strict();
