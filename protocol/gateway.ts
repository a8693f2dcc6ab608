/**
 * What the dashboard sees of the gateway (`/api/gateway/*`): backends with their health, routes with
 * each target's state, live traffic, failovers, API keys and the request log. Types only.
 */

export type BreakerStateView = "closed" | "open" | "half-open";
export type AvailabilityView = "up" | "trial" | "down";

export interface BackendView {
  name: string;
  url: string;
  api: "openai" | "anthropic";
  kind: string;
  source: "config" | "deployment";
  /** Whether an upstream key is set (never the key). */
  hasKey: boolean;
  up: boolean | null;
  availability: AvailabilityView;
  breaker: { state: BreakerStateView; failures: number; retryInMs: number; reason: string | null };
  outstanding: number;
  lastCheckAt: number | null;
  latencyMs: number | null;
  error: string | null;
  changedAt: number;
}

export interface RouteTargetView {
  id: string;
  backend: string;
  model: string;
  /** Null when the backend is unknown (a typo, or a deployment that is gone). */
  availability: AvailabilityView | null;
  /** Requests it answered in the last minute, errors among them, mean time to first byte. */
  perMinute: number;
  errors: number;
  avgTtftMs: number | null;
}

export interface RouteViewDto {
  model: string;
  source: "config" | "ui" | "deployment";
  /** Tiers in failover order; targets inside one tier share load. */
  tiers: RouteTargetView[][];
  /** As written (config file / dashboard form). */
  targets: Array<string | string[]>;
}

export interface FailoverView {
  ts: number;
  model: string | null;
  from: string;
  to: string | null;
  why: string;
}

export interface RequestLogEntry {
  id?: number;
  ts: number;
  keyName: string | null;
  endpoint: string;
  modelAsked: string | null;
  target: string | null;
  attempts: number;
  failovers: number;
  status: number;
  stream: boolean;
  ttftMs: number | null;
  durationMs: number;
  inputTokens: number | null;
  outputTokens: number | null;
  /** How long it waited for an on-demand deployment to load (null: it did not wait). */
  loadWaitMs?: number | null;
  error: string | null;
}

export interface GatewayStatus {
  backends: BackendView[];
  routes: RouteViewDto[];
  failovers: FailoverView[];
  recent: RequestLogEntry[];
}

export interface ApiKeyView {
  id: string;
  name: string;
  prefix: string;
  source: "ui" | "config";
  models: string[] | null;
  createdAt: number;
  revokedAt: number | null;
  lastUsedAt: number | null;
  requests: number;
  inputTokens: number;
  outputTokens: number;
}

export interface CreatedApiKey {
  /** The key itself: shown once, never again. */
  key: string;
  record: ApiKeyView;
}
