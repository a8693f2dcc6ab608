/**
 * Deployments on the wire: what the server asks an agent to run (`DeploySpec`), what the agent
 * reports back (`DeploymentReport`, as events and answers), and what the REST API and dashboard
 * see (`DeploymentView`). One zod schema per shape is both the runtime check and the type.
 */
import { z } from "zod";
import { ENGINES, type Engine } from "./engines";
import { onDemandBodySchema, type OnDemandView } from "./ondemand";

export { ENGINES, type Engine };

/** `standby`: an on-demand deployment with nothing running (or its engine asleep): it starts on the next request. */
export const DEPLOYMENT_STATES = ["pending", "pulling", "starting", "loading", "ready", "unhealthy", "failed", "stopping", "stopped", "standby"] as const;
export type DeploymentState = (typeof DEPLOYMENT_STATES)[number];

/** `no`: a crash leaves it failed. `on-failure`: restarted (with backoff) after a non-zero exit. `always`: after any exit. */
export const RESTART_POLICIES = ["no", "on-failure", "always"] as const;
export type RestartPolicy = (typeof RESTART_POLICIES)[number];

/** The engines' official images (REFERENCE.md); llama.cpp's CPU build when no GPU is used. */
export function defaultImage(engine: Engine, gpuCount: number): string {
  if (engine === "vllm") return "vllm/vllm-openai:latest";
  if (engine === "sglang") return "lmsysorg/sglang:latest";
  return gpuCount > 0 ? "ghcr.io/ggml-org/llama.cpp:server-cuda" : "ghcr.io/ggml-org/llama.cpp:server";
}

export const NAME_PATTERN = /^[a-z0-9][a-z0-9._-]{0,62}$/;

/** Agent actions (server → agent requests) and events (agent → server). */
export const DEPLOY_ACTIONS = {
  create: "deployment.create",
  stop: "deployment.stop",
  restart: "deployment.restart",
  list: "deployment.list",
  logs: "deployment.logs",
  follow: "deployment.logs.follow",
  unfollow: "deployment.logs.unfollow",
  /** vLLM sleep mode: the engine frees its GPU memory, the container stays (an on-demand unload). */
  sleep: "deployment.sleep",
  wake: "deployment.wake",
} as const;

export const DEPLOY_EVENTS = {
  /** One deployment changed (state, progress, PIDs). */
  state: "deployment.state",
  /** Everything the agent runs, sent after each (re)connection: the server reconciles against it. */
  announce: "deployment.announce",
  log: "deployment.log",
  logEnd: "deployment.log.end",
} as const;

export const modelRefSchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("hf"), repo: z.string().min(3).max(256), quant: z.string().max(64).optional() }),
  z.object({ kind: z.literal("gguf"), path: z.string().startsWith("/").max(4096) }),
  z.object({ kind: z.literal("dir"), path: z.string().startsWith("/").max(4096) }),
]);
export type ModelRef = z.infer<typeof modelRefSchema>;

/** Engine knobs beyond the contract's options; each profile maps the ones its engine has. */
export const engineOptionsSchema = z.object({
  /** vLLM gpu_memory_utilization / SGLang mem_fraction_static. */
  util: z.number().gt(0).lte(1).optional(),
  kvCacheDtype: z.string().min(1).max(32).optional(),
  quantization: z.string().min(1).max(64).optional(),
  /** llama.cpp slots (-np). */
  parallel: z.number().int().positive().max(1024).optional(),
  /** Tensor-parallel size when it should differ from the GPU count. */
  tp: z.number().int().positive().max(64).optional(),
  apiKey: z.string().min(1).max(256).optional(),
}).strict();
export type EngineOptions = z.infer<typeof engineOptionsSchema>;

/** What the server asks an agent to run. Secrets travel only here, never in reports or views. */
export const deploySpecSchema = z.object({
  id: z.string().min(1).max(64),
  name: z.string().regex(NAME_PATTERN),
  engine: z.enum(ENGINES),
  model: modelRefSchema,
  image: z.string().min(1).max(300),
  /** Host GPU indices; empty = CPU only. */
  gpus: z.array(z.number().int().nonnegative()).max(64),
  ctx: z.number().int().positive().max(1 << 30).optional(),
  /** Host port; absent = the agent picks a free one. */
  port: z.number().int().min(1).max(65535).optional(),
  servedName: z.string().min(1).max(200),
  extraArgs: z.array(z.string().max(4096)).max(256).default([]),
  options: engineOptionsSchema.default({}),
  restart: z.enum(RESTART_POLICIES).default("no"),
  /** Seconds the engine may take to become healthy before the deploy fails. */
  startupTimeoutS: z.number().int().positive().max(24 * 3600).optional(),
  /** Run the engine so that it can sleep and wake (vLLM's --enable-sleep-mode): on-demand `--unload sleep`. */
  sleepMode: z.boolean().optional(),
  secrets: z.object({ hfToken: z.string().min(1).optional() }).default({}),
});
export type DeploySpec = z.infer<typeof deploySpecSchema>;
export type DeploySpecInput = z.input<typeof deploySpecSchema>;
/** The spec as it is labelled on the container and reported: never any secret. */
export const publicSpecSchema = deploySpecSchema.omit({ secrets: true }).extend({
  options: engineOptionsSchema.extend({ apiKey: z.literal("[redacted]").optional() }),
});
export type PublicSpec = z.infer<typeof publicSpecSchema>;

export function publicSpec(spec: DeploySpec): PublicSpec {
  const { secrets: _secrets, ...rest } = spec;
  const { apiKey, ...options } = spec.options;
  return { ...rest, options: apiKey ? { ...options, apiKey: "[redacted]" } : options };
}

/**
 * Bounds on what agents report: every field of an event is hostile input to the server (a port of
 * 70000 once made every health check of the gateway throw), so each has a range or a size.
 */
const PORT = z.number().int().min(1).max(65535);
const EPOCH_MS = z.number().int().nonnegative().max(8.64e15);
/** A log line kept to `max` characters (a long line is cut, not a reason to drop the report). */
const logLine = (max: number) => z.string().transform((s) => (s.length > max ? s.slice(0, max) : s));

export const deploymentReportSchema = z.object({
  id: z.string().min(1).max(64),
  /** Grows with every change on the agent: the server ignores a report older than one it applied. */
  seq: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER).default(0),
  name: z.string().max(64),
  state: z.enum(DEPLOYMENT_STATES),
  /** Why it failed or is unhealthy, in words a person can act on. */
  reason: z.string().max(4000).nullable().default(null),
  /** The container's last log lines, when it failed. */
  logs: z.array(logLine(4096)).max(200).default([]),
  containerId: z.string().max(128).nullable().default(null),
  port: PORT.nullable().default(null),
  /** Host PIDs of the container's processes (to join per-process GPU telemetry). */
  pids: z.array(z.number().int().nonnegative().max(2 ** 32)).max(1024).default([]),
  startedAt: EPOCH_MS.nullable().default(null),
  readyAt: EPOCH_MS.nullable().default(null),
  restarts: z.number().int().nonnegative().max(1e9).default(0),
  /** Things the agent had to change or wants known (e.g. a container limit the daemon refused). */
  warnings: z.array(z.string().max(500)).max(20).default([]),
  progress: z.object({ pct: z.number().min(0).max(100).nullable(), text: z.string().max(300) }).nullable().default(null),
  /** Present in announcements, so a server that lost its record can adopt the container. */
  spec: publicSpecSchema.optional(),
});
export type DeploymentReport = z.infer<typeof deploymentReportSchema>;
export type DeploymentReportInput = z.input<typeof deploymentReportSchema>;

/** `complete` is false when the agent could not list its containers (Docker down): absent ones are then not gone. */
export const announceSchema = z.object({ reports: z.array(deploymentReportSchema).max(256), complete: z.boolean().default(true) });
const streamId = z.string().min(1).max(64);
export const logEventSchema = z.object({ streamId, lines: z.array(logLine(16_384)).max(2000) });
export const logEndSchema = z.object({ streamId, reason: z.string().max(1000).optional() });

export const idPayloadSchema = z.object({ id: z.string().min(1) });
export const logsPayloadSchema = z.object({ id: z.string().min(1), tail: z.number().int().min(0).max(10_000).default(200) });
export const followPayloadSchema = logsPayloadSchema.extend({ streamId: z.string().min(1) });
export const unfollowPayloadSchema = z.object({ streamId: z.string().min(1) });

/** What REST clients and the dashboard see. */
export interface DeploymentView {
  id: string;
  name: string;
  node: string;
  engine: Engine;
  model: string;
  image: string;
  gpus: number[];
  state: DeploymentState;
  /** What the user asked for: `running` until a stop. */
  desired: "running" | "stopped";
  reason: string | null;
  logs: string[];
  port: number | null;
  /** Base URL of its OpenAI-compatible API (no /v1), once it has a port. */
  endpoint: string | null;
  servedName: string;
  ctx: number | null;
  restart: RestartPolicy;
  extraArgs: string[];
  createdAt: number;
  startedAt: number | null;
  readyAt: number | null;
  restarts: number;
  progress: { pct: number | null; text: string } | null;
  /** GPU memory its processes hold right now (per-process telemetry), or null when unknown. */
  vramMiB: number | null;
  /** Whether the node's agent is connected. */
  nodeOnline: boolean;
  /** Fit estimate warnings at deploy time. */
  warnings: string[];
  /** Engine options as deployed (API key redacted); the fit self-calibration estimates with them. */
  options?: PublicSpec["options"];
  /** Present on on-demand deployments (`deploy --on-demand`). */
  onDemand?: OnDemandView;
}

/**
 * A backend the gateway can route to, one per deployment. Server-internal (deployments core →
 * gateway): it carries the engine's API key, so it is never sent to a client as it is.
 */
export interface RoutableBackend {
  name: string;
  url: string;
  api: "openai";
  model: string;
  ready: boolean;
  /** The API key the engine was started with (`--api-key`), which the gateway sends it; null when none. */
  apiKey?: string | null;
  /**
   * On-demand deployments only: its id (the gateway leases it by id) and whether it is warm now. A
   * cold one has no URL yet: the gateway asks the load manager for it before sending.
   */
  onDemand?: { id: string; warm: boolean };
}

/** The body of `POST /api/deployments` (what the CLI and the deploy form send). */
export const createDeploymentBodySchema = z.object({
  engine: z.string().min(1, "engine is required"),
  model: z.string().min(1, "model is required"),
  name: z.string().optional(),
  node: z.string().min(1).optional(),
  /** "0,1", "all", "none", or a list of indices; absent = chosen from free VRAM. */
  gpus: z.union([z.string(), z.array(z.number().int().nonnegative())]).optional(),
  image: z.string().min(1).optional(),
  ctx: z.number().int().positive().optional(),
  port: z.number().int().min(1).max(65535).optional(),
  servedName: z.string().min(1).max(200).optional(),
  extraArgs: z.array(z.string()).max(256).optional(),
  restart: z.enum(RESTART_POLICIES).optional(),
  startupTimeoutS: z.number().int().positive().optional(),
  options: engineOptionsSchema.optional(),
  /** Registers it on demand: nothing starts until a request (or `preload`) asks for it. */
  onDemand: onDemandBodySchema.optional(),
}).strict();
export type CreateDeploymentBody = z.infer<typeof createDeploymentBodySchema>;

export const TERMINAL_STATES: ReadonlySet<DeploymentState> = new Set(["ready", "failed", "stopped"]);
