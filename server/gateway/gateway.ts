/**
 * The gateway as one object: backends (config + deployments), routes, keys, health, the upstream
 * pool and observability, with start/stop for the composition root. HTTP lives in http.ts; REST
 * for the dashboard in api/.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import type { NodeView } from "../../protocol/live";
import type { GatewayRepo, RequestQuery } from "../db/repos/gateway-repo";
import type { GatewayStatus, RequestLogEntry } from "../../protocol/gateway";
import { createLogger } from "../../lib/logger";
import { createGatewayKeys, createGatewayRoutes, type GatewayKeys, type GatewayRoutes } from "../core/gateway";
import { backendFromConfig, backendSecrets, mergeBackends, type Backend, type DeploymentSource } from "./backends";
import type { ConfigFile } from "./config/schema";
import type { RequestRecord } from "./exchange";
import { HealthMonitor, type BackendHealthView } from "./health/monitor";
import { GatewayMetrics } from "./observe/gateway-metrics";
import { RuntimeMetrics } from "./observe/runtime-metrics";
import { renderDcgm } from "./observe/dcgm";
import { RequestLog } from "./observe/request-log";
import { statusView, type StatusRoute } from "./observe/status";
import { planAttempts, type PlannedTarget } from "./routing/plan";
import { resolveModel, routableModels, toTiers, type ResolvedRoute, type RouteInputs } from "./routing/route-table";
import { createUpstreamPool, type UpstreamPool } from "./upstream/pool";
import type { ForwardDeps } from "./upstream/forward";
import type { GatewayKey } from "../core/gateway/key-store";
import { keyOrSession, type SessionCheck } from "./auth/dashboard-session";
import type { IncomingHttpHeaders } from "node:http";

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
  /** Lets the dashboard's own pages in with their session (auth/dashboard-session.ts). */
  dashboardSession?: SessionCheck | null;
  /** How long a stream waits for an on-demand load before its head and keep-alive comments go out (default 15 s). */
  streamKeepAliveMs?: number;
  now?: () => number;
  /** Several servers on one database: only the leader prunes the shared request log. Default: always. */
  isLeader?: () => boolean;
}

/** Deployments change rarely; a request reads the merged map from this cache. */
const BACKENDS_TTL_MS = 500;

/** What an unexpected error is logged with: as much of the request as is known. */
export type ErrorContext = Partial<Pick<RequestRecord, "endpoint" | "modelAsked" | "target">> & { path?: string };

export class Gateway {
  readonly keys: GatewayKeys;
  readonly routes: GatewayRoutes;
  readonly monitor: HealthMonitor;
  readonly pool: UpstreamPool = createUpstreamPool();
  readonly requestLog: RequestLog;
  readonly metrics = new GatewayMetrics();
  private readonly runtime = new RuntimeMetrics();
  /** What forward() needs of the gateway, made once (not per request). */
  readonly forwardDeps: ForwardDeps;
  readonly logBodies: boolean;
  /** Backends (name → URL) that answered 404/405/501 to count_tokens: not asked again while they last. */
  readonly countTokensUnsupported = new Map<string, string>();
  /**
   * Settles once keys and dashboard routes are read from the database (rejects when they cannot
   * be). Requests that arrive before then wait for it (http.ts).
   */
  readonly ready: Promise<void>;
  private loaded = false;
  private readonly configBackends: Backend[];
  private cached: { at: number; map: Map<string, Backend>; secrets: string[]; inputs: RouteInputs; resolved: Map<string, ResolvedRoute> } | null = null;
  private rotation = 0;
  private timers: NodeJS.Timeout[] = [];
  private readonly now: () => number;
  private readonly finishedListeners = new Set<(record: RequestRecord) => void>();
  private readonly changeListeners = new Set<(what: "keys" | "routes") => void>();
  private readonly offOnDemand: (() => void) | null;

  constructor(private readonly deps: GatewayDeps) {
    this.now = deps.now ?? Date.now;
    this.configBackends = deps.config.backends.map(backendFromConfig);
    this.keys = createGatewayKeys({ repo: deps.repo, isAdminToken: deps.isAdminToken, now: this.now, onChange: () => this.changed("keys") });
    this.routes = createGatewayRoutes({
      repo: deps.repo, configRoutes: deps.config.routes, now: this.now, knownBackend: (name) => this.backends().has(name),
      // Routable at once here; the other servers reload.
      onChange: () => {
        this.invalidate();
        this.changed("routes");
      },
    });
    this.monitor = new HealthMonitor(() => this.backends(), this.now);
    const days = deps.config.gateway.requestLogRetentionDays ?? 7;
    this.requestLog = new RequestLog(deps.repo, days * 86_400_000, this.now);
    this.logBodies = deps.logBodies ?? deps.config.gateway.logBodies ?? false;
    this.forwardDeps = {
      backends: () => this.backends(), monitor: this.monitor, pool: this.pool, secrets: () => this.secrets(),
      ondemand: deps.deployments?.ondemand ?? null,
      streamKeepAliveMs: deps.streamKeepAliveMs,
      fresh: (name) => {
        this.invalidate();
        return this.backends().get(name);
      },
    };
    // An on-demand deployment turned warm or cold: the next request reads the backends afresh.
    this.offOnDemand = deps.deployments?.ondemand?.onChange(() => this.invalidate()) ?? null;
    this.ready = this.load();
    this.ready.catch((err: unknown) => log.error({ err }, "gateway keys and routes could not be loaded"));
  }

  private async load(): Promise<void> {
    await this.keys.load(this.deps.config.apiKeys);
    await this.routes.load();
    this.invalidate();
    this.loaded = true;
  }

  /** Keys and routes are loaded: requests can be served. */
  isReady(): boolean {
    return this.loaded;
  }

  /** Starts health checks and housekeeping; resolves once keys and routes are loaded. */
  async start(): Promise<void> {
    this.monitor.start();
    this.runtime.start();
    const every = (ms: number, fn: () => unknown) => {
      const t = setInterval(() => {
        Promise.resolve().then(fn).catch((err: unknown) => log.error({ err }, "gateway housekeeping failed"));
      }, ms);
      t.unref();
      this.timers.push(t);
    };
    every(1000, () => this.requestLog.flush());
    every(5000, () => this.keys.flush());
    every(5000, () => this.forgetGoneBackends());
    const leads = this.deps.isLeader ?? (() => true);
    every(60 * 60_000, () => (leads() ? this.requestLog.prune() : 0));
    if (leads()) this.requestLog.prune().catch((err: unknown) => log.error({ err }, "pruning the request log failed"));
    await this.ready;
    log.info({ backends: [...this.backends().keys()], routes: this.routes.list().length }, "gateway ready");
  }

  /** Stops timers and connections; resolves once buffered log rows and key usage are written. */
  async stop(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    this.offOnDemand?.();
    this.monitor.stop();
    this.runtime.stop();
    this.pool.close();
    // Both writes start now, before the caller goes on (and closes the database).
    await Promise.all([this.requestLog.flush(), this.keys.flush().catch((err: unknown) => log.error({ err }, "writing key usage failed"))]);
  }

  /** Per-backend state of backends that are gone (deployment names are new with each deploy) is dropped. */
  forgetGoneBackends(): void {
    const backends = this.backends();
    this.pool.retain(backends);
    for (const [name, url] of this.countTokensUnsupported) if (backends.get(name)?.url !== url) this.countTokensUnsupported.delete(name);
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
    this.cached = { at: now, map, secrets: backendSecrets(map.values()), inputs, resolved: new Map() };
    return this.cached;
  }

  /** Forget the cached view (routes changed in the dashboard). */
  invalidate(): void {
    this.cached = null;
  }

  /** Rereads dashboard routes (another server changed them); requests keep routing from memory meanwhile. */
  async reloadRoutes(): Promise<void> {
    await this.routes.load();
    this.invalidate();
  }

  /** Hears keys or routes being changed on this server (several servers: the others reload). */
  onChange(listener: (what: "keys" | "routes") => void): () => void {
    this.changeListeners.add(listener);
    return () => void this.changeListeners.delete(listener);
  }

  private changed(what: "keys" | "routes"): void {
    for (const l of this.changeListeners) l(what);
  }

  backends(): ReadonlyMap<string, Backend> {
    return this.refresh().map;
  }

  secrets(): readonly string[] {
    return this.refresh().secrets;
  }

  /** What `model` routes to now; routes found are kept with the cached view (the hot path asks for the same few). */
  resolve(model: string): ResolvedRoute | null {
    const view = this.refresh();
    const hit = view.resolved.get(model);
    if (hit) return hit;
    const route = resolveModel(model, view.inputs);
    if (route) {
      if (view.resolved.size >= 1000) view.resolved.clear(); // `BACKEND/anything` names are the client's
      view.resolved.set(model, route);
    }
    return route;
  }

  models(): string[] {
    return routableModels(this.refresh().inputs);
  }

  plan(route: ResolvedRoute): PlannedTarget[] {
    return planAttempts(route.tiers, this.monitor, this.rotation++);
  }

  /** The caller of a request: its API key, or the dashboard by its session (awaited only then); null when neither. */
  authenticate(headers: IncomingHttpHeaders): GatewayKey | null | Promise<GatewayKey | null> {
    return keyOrSession(this.keys, this.deps.dashboardSession ?? null, headers);
  }

  /** One finished client request: log, metrics, key usage. */
  finished(record: RequestRecord, key: GatewayKey | null): void {
    this.requestLog.add(record);
    this.metrics.record(record);
    if (key) this.keys.recordUsage(key, record.inputTokens, record.outputTokens);
    for (const l of this.finishedListeners) {
      try {
        l(record);
      } catch (err) {
        log.error({ err }, "a request listener failed");
      }
    }
  }

  /** Hears every finished client request (alerts derive failovers from them). Listeners run on the request path: keep them O(1). */
  onFinished(listener: (record: RequestRecord) => void): () => void {
    this.finishedListeners.add(listener);
    return () => void this.finishedListeners.delete(listener);
  }

  /** The stored request log, newest first (bodies stay in the database); buffered rows are written first. */
  async requests(q: RequestQuery): Promise<RequestLogEntry[]> {
    await this.requestLog.flush();
    return (await this.deps.repo.requests(q)).map(({ body: _body, ...row }) => row);
  }

  /** Backends with their health, routes (deployments by name among them) with target health and traffic. */
  status(): GatewayStatus {
    const { map, inputs } = this.refresh();
    const routes: StatusRoute[] = this.routes.list().map((r) => ({ model: r.model, source: r.source, targets: r.targets, tiers: toTiers(r.targets) }));
    const listed = new Set(routes.map((r) => r.model));
    for (const name of routableModels(inputs)) {
      if (listed.has(name)) continue;
      const resolved = resolveModel(name, inputs);
      if (resolved?.source === "deployment") routes.push({ model: name, source: "deployment", targets: resolved.tiers.map((t) => t.map((x) => x.id)), tiers: resolved.tiers });
    }
    return statusView({
      backends: map.values(), health: this.healthViews(), traffic: this.requestLog.trafficByTarget(), routes,
      failovers: this.requestLog.recentFailovers(), recent: this.requestLog.recentRequests(),
    });
  }

  logError(err: unknown, ctx: ErrorContext): void {
    log.error({ err, endpoint: ctx.endpoint, path: ctx.path, model: ctx.modelAsked, target: ctx.target }, "gateway request failed");
  }

  healthViews(): Map<string, BackendHealthView> {
    const out = new Map<string, BackendHealthView>();
    for (const name of this.backends().keys()) out.set(name, this.monitor.view(name));
    return out;
  }

  metricsText(): string {
    return this.metrics.render(this.healthViews()) + this.runtime.render() + renderDcgm(this.deps.fleet?.list() ?? []);
  }

  checkMetricsToken(token: string | null): boolean {
    if (!token) return false;
    const expected = this.deps.metricsToken ?? this.deps.config.gateway.metricsToken ?? null;
    // Compared as hashes so the comparison takes the same time wherever the strings differ.
    const same = expected !== null && timingSafeEqual(sha256(token), sha256(expected));
    return same || this.deps.isAdminToken(token);
  }
}
