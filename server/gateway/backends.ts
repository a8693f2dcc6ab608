/**
 * Backends the gateway can send to: the config file's (cloud APIs, hand-run servers) and every
 * deployment (named after itself). Pure: config + the deployments' current list → one map.
 */
import type { RoutableBackend } from "../../protocol/deployments";
import type { OnDemandGate } from "../core/ondemand";
import type { BackendConfig, BackendKind } from "./config/schema";
import type { Protocol } from "./protocol/errors";

export interface Backend {
  name: string;
  /** Base URL without /v1 and without a trailing slash. */
  url: string;
  api: Protocol;
  apiKey: string | null;
  kind: BackendKind;
  source: "config" | "deployment";
  /** Active health check: GET this path; null when switched off. */
  healthPath: string | null;
  /** Engines' /health may be missing on a generic OpenAI-compatible server: fall back to /v1/models on 404. */
  healthFallbackPath: string | null;
  healthIntervalMs: number;
  healthTimeoutMs: number;
  firstByteTimeoutMs: number | null;
  maxConcurrent: number;
  /** Deployments only: the served model name, and whether the deployment says it is ready. */
  deploymentModel?: string;
  deploymentReady?: boolean;
  /** On-demand deployments: leased by id; a cold one (warm false) has no URL until it loads. */
  onDemand?: { id: string; warm: boolean };
}

/** Where deployments come from (server/core/deployments); absent until that module is wired in. */
export interface DeploymentSource {
  listRoutableBackends(): RoutableBackend[];
  /** Leases on on-demand deployments (the load manager). */
  ondemand?: OnDemandGate;
}

const LOCAL_HOST = /^(localhost|127\.|10\.|192\.168\.|172\.(1[6-9]|2\d|3[01])\.|169\.254\.|\[?::1\]?$|\[?f[cd][0-9a-f]{2}:|[^.]+$|.*\.(local|lan|home|internal|localdomain)$)/i;

/** A guess good enough to pick the health check: a public host is a cloud API, anything on the LAN an engine. */
export function guessKind(url: string): BackendKind {
  return LOCAL_HOST.test(hostOf(url)) ? "openai-compatible" : "cloud";
}

function hostOf(url: string): string {
  try {
    return new URL(url).hostname;
  } catch {
    return "";
  }
}

export function backendFromConfig(c: BackendConfig): Backend {
  const kind = c.kind ?? guessKind(c.url);
  const cloud = kind === "cloud";
  const health = c.health;
  const defaultPath = cloud ? "/v1/models" : "/health";
  return {
    name: c.name,
    url: c.url,
    api: c.api,
    apiKey: c.apiKey ? c.apiKey : null,
    kind,
    source: "config",
    healthPath: health === false ? null : (health?.path ?? defaultPath),
    healthFallbackPath: health === false || health?.path || kind !== "openai-compatible" ? null : "/v1/models",
    // Clouds are checked rarely (their list endpoints count against rate limits); local servers often.
    healthIntervalMs: (health && health.intervalS ? health.intervalS : cloud ? 30 : 5) * 1000,
    healthTimeoutMs: (health && health.timeoutMs) || (cloud ? 5000 : 2000),
    firstByteTimeoutMs: c.firstByteTimeoutS ? c.firstByteTimeoutS * 1000 : null,
    maxConcurrent: c.maxConcurrent ?? 0,
  };
}

export function backendFromDeployment(d: RoutableBackend): Backend {
  const cold = d.onDemand !== undefined && !d.onDemand.warm;
  return {
    name: d.name,
    url: d.url.replace(/\/+$/, ""),
    api: d.api,
    apiKey: d.apiKey ?? null,
    kind: "openai-compatible",
    source: "deployment",
    // vLLM, SGLang and llama.cpp all answer /health (503 while loading). A cold one has nothing to check.
    healthPath: cold ? null : "/health",
    healthFallbackPath: "/v1/models",
    healthIntervalMs: 5000,
    healthTimeoutMs: 2000,
    firstByteTimeoutMs: null,
    maxConcurrent: 0,
    deploymentModel: d.model,
    // Cold on demand is healthy: a request loads it.
    deploymentReady: cold || d.ready,
    ...(d.onDemand ? { onDemand: d.onDemand } : {}),
  };
}

/** Config backends win a name clash: the file is what the user wrote down on purpose. */
export function mergeBackends(config: readonly Backend[], deployments: readonly RoutableBackend[]): Map<string, Backend> {
  const out = new Map<string, Backend>();
  for (const d of deployments) out.set(d.name, backendFromDeployment(d));
  for (const b of config) out.set(b.name, b);
  return out;
}

/** The secrets a backend holds, for redaction in anything that leaves the gateway. */
export function backendSecrets(backends: Iterable<Backend>): string[] {
  const out: string[] = [];
  for (const b of backends) if (b.apiKey) out.push(b.apiKey);
  return out;
}
