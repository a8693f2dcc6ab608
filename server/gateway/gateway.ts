/**
 * The gateway as one object: backends (config + deployments), routes, keys, health, the upstream
 * pool and observability, with start/stop for the composition root. HTTP lives in http.ts; REST
 * for the dashboard in api/.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import type { NodeView } from "../../protocol/live";
import type { GatewayRepo, RequestQuery } from "../db/repos/gateway-repo";
import type { RequestLogEntry } from "../../protocol/gateway";
import { createLogger } from "../../lib/logger";
import { KeyStore } from "./auth/keys";
import { backendFromConfig, backendSecrets, mergeBackends, type Backend, type DeploymentSource } from "./backends";
import type { ConfigFile } from "./config/schema";
import type { RequestRecord } from "./exchange";
import { HealthMonitor, type BackendHealthView } from "./health/monitor";
import { GatewayMetrics } from "./observe/gateway-metrics";
import { renderDcgm } from "./observe/dcgm";
import { RequestLog } from "./observe/request-log";
import { planAttempts, type PlannedTarget } from "./routing/plan";
import { resolveModel, routableModels, type ResolvedRoute, type RouteInputs } from "./routing/route-table";
import { RouteStore } from "./routing/route-store";
import { createUpstreamPool, type UpstreamPool } from "./upstream/pool";
import type { GatewayKey } from "./auth/keys";

const log = createLogger("gateway");
const sha256 = (s: string) => createHash("sha256").update(s).digest();

export interface GatewayDeps {
  config: ConfigFile;
  repo: GatewayRepo;
  isAdminToken(token: string): boolean;
  /** Deployments as backends (server/core/deployments); optional until that module is wired in. */
  deployments?: DeploymentSource | null;
  /** Live fleet for GPU metrics. */
  fleet?: { list(): NodeView[] } | null;
  /** Keep request bodies in the request log (env SWITCHYARD_GATEWAY_LOG_BODIES=1 or config gateway.logBodies). */
  logBodies?: boolean;
  metricsToken?: string | null;
  now?: () => number;
}

/** Deployments change rarely; a request reads the merged map from this cache. */
const BACKENDS_TTL_MS = 500;

export class Gateway {
  readonly keys: KeyStore;
  readonly routes: RouteStore;
  readonly monitor: HealthMonitor;
  readonly pool: UpstreamPool = createUpstreamPool();
  readonly requestLog: RequestLog;
  readonly metrics = new GatewayMetrics();
  readonly logBodies: boolean;
  private readonly configBackends: Backend[];
  private cached: { at: number; map: Map<string, Backend>; secrets: string[]; inputs: RouteInputs } | null = null;
  private rotation = 0;
  private timers: NodeJS.Timeout[] = [];
  private readonly now: () => number;

  constructor(private readonly deps: GatewayDeps) {
    this.now = deps.now ?? Date.now;
    this.configBackends = deps.config.backends.map(backendFromConfig);
    this.keys = new KeyStore(deps.repo, deps.isAdminToken, this.now);
    this.keys.load(deps.config.apiKeys);
    this.routes = new RouteStore(deps.repo, deps.config.routes, this.now);
    this.monitor = new HealthMonitor(() => this.backends(), this.now);
    const days = deps.config.gateway.requestLogRetentionDays ?? 7;
    this.requestLog = new RequestLog(deps.repo, days * 86_400_000, this.now);
    this.logBodies = deps.logBodies ?? deps.config.gateway.logBodies ?? false;
  }

  start(): void {
    this.monitor.start();
    const every = (ms: number, fn: () => void) => {
      const t = setInterval(() => {
        try {
          fn();
        } catch (err) {
          log.error({ err }, "gateway housekeeping failed");
        }
      }, ms);
      t.unref();
      this.timers.push(t);
    };
    every(1000, () => this.requestLog.flush());
    every(5000, () => this.keys.flush());
    every(60 * 60_000, () => this.requestLog.prune());
    this.requestLog.prune();
    log.info({ backends: [...this.backends().keys()], routes: this.routes.list().length }, "gateway ready");
  }

  stop(): void {
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    this.monitor.stop();
    this.requestLog.flush();
    this.keys.flush();
    this.pool.close();
  }

  private refresh() {
    const now = this.now();
    if (this.cached && now - this.cached.at < BACKENDS_TTL_MS) return this.cached;
    let deployments: ReturnType<DeploymentSource["listRoutableBackends"]> = [];
    try {
      deployments = this.deps.deployments?.listRoutableBackends() ?? [];
    } catch (err) {
      log.warn({ err }, "could not list deployments for routing");
    }
    const map = mergeBackends(this.configBackends, deployments);
    const inputs: RouteInputs = {
      configRoutes: this.routes.config(),
      uiRoutes: this.routes.ui(),
      backends: new Map([...map].map(([name, b]) => [name, { deploymentModel: b.deploymentModel }])),
    };
    this.cached = { at: now, map, secrets: backendSecrets(map.values()), inputs };
    return this.cached;
  }

  /** Forget the cached view (routes changed in the dashboard). */
  invalidate(): void {
    this.cached = null;
  }

  backends(): ReadonlyMap<string, Backend> {
    return this.refresh().map;
  }

  secrets(): readonly string[] {
    return this.refresh().secrets;
  }

  resolve(model: string): ResolvedRoute | null {
    return resolveModel(model, this.refresh().inputs);
  }

  models(): string[] {
    return routableModels(this.refresh().inputs);
  }

  plan(route: ResolvedRoute): PlannedTarget[] {
    return planAttempts(route.tiers, this.monitor, this.rotation++);
  }

  /** One finished client request: log, metrics, key usage. */
  finished(record: RequestRecord, key: GatewayKey | null): void {
    this.requestLog.add(record);
    this.metrics.record(record);
    if (key) this.keys.recordUsage(key, record.inputTokens, record.outputTokens);
  }

  /** The stored request log, newest first (bodies stay in the database). */
  requests(q: RequestQuery): RequestLogEntry[] {
    return this.deps.repo.requests(q).map(({ body: _body, ...row }) => row);
  }

  logError(err: unknown, record: RequestRecord): void {
    log.error({ err, endpoint: record.endpoint, model: record.modelAsked, target: record.target }, "gateway request failed");
  }

  healthViews(): Map<string, BackendHealthView> {
    const out = new Map<string, BackendHealthView>();
    for (const name of this.backends().keys()) out.set(name, this.monitor.view(name));
    return out;
  }

  metricsText(): string {
    return this.metrics.render(this.healthViews()) + renderDcgm(this.deps.fleet?.list() ?? []);
  }

  checkMetricsToken(token: string | null): boolean {
    if (!token) return false;
    const expected = this.deps.metricsToken ?? this.deps.config.gateway.metricsToken ?? null;
    // Compared as hashes so the comparison takes the same time wherever the strings differ.
    const same = expected !== null && timingSafeEqual(sha256(token), sha256(expected));
    return same || this.deps.isAdminToken(token);
  }
}
