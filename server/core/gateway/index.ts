/**
 * The gateway's API keys and dashboard routes as domain verbs: the dashboard lists, creates and
 * revokes keys, and lists, saves and removes routes (bodies checked here, as deployments' create
 * does); the request path authenticates a presented key, checks its models and counts its usage
 * from memory, never waiting on the database. Nothing here knows HTTP: the gateway's edge
 * (server/gateway/auth/) reads the key out of a request, and REST (server/gateway/api/) maps errors.
 */
import type { ApiKeyView, CreatedApiKey } from "../../../protocol/gateway";
import type { GatewayRepo } from "../../db/repos/gateway-repo";
import { createKey } from "./create-key";
import { KeyStore, type ConfigKey, type GatewayKey } from "./key-store";
import { keyView } from "./key-view";
import { RouteStore, type RouteView } from "./route-store";
import type { RouteDef } from "./route-targets";

export interface GatewayKeys {
  /** Every key the dashboard lists (revoked ones too), oldest first. */
  list(): ApiKeyView[];
  create(body: unknown): Promise<CreatedApiKey>;
  revoke(id: string): Promise<ApiKeyView>;
  /** The caller of a request by the key it presents, or null: Map lookups only (the hot path). */
  authenticate(presented: string): GatewayKey | null;
  allows(key: GatewayKey, model: string): boolean;
  /** Counts one finished request in memory; flush() writes. */
  recordUsage(key: GatewayKey, inputTokens: number | null, outputTokens: number | null): void;
  /** A key for the server's own requests (benchmarks): never listed, gone at restart. */
  addInternal(name: string): string;
  /** Syncs the config file's keys into the table and reads it (at start). */
  load(configKeys: readonly ConfigKey[]): Promise<void>;
  /** Reads the table again (another server changed it, or counted usage). */
  reload(): Promise<void>;
  flush(): Promise<void>;
}

export interface GatewayKeysDeps {
  repo: GatewayRepo;
  isAdminToken(token: string): boolean;
  now?: () => number;
  /** After a create or revoke made here (several servers: the others reload). */
  onChange?: () => void;
}

export function createGatewayKeys(deps: GatewayKeysDeps): GatewayKeys {
  const store = new KeyStore(deps.repo, deps.isAdminToken, deps.now, deps.onChange);
  return {
    list: () => store.list().map(keyView),
    create: (body) => createKey(store, body),
    revoke: async (id) => keyView(await store.revoke(id)),
    authenticate: (presented) => store.authenticate(presented),
    allows: (key, model) => store.allows(key, model),
    recordUsage: (key, inputTokens, outputTokens) => store.recordUsage(key, inputTokens, outputTokens),
    addInternal: (name) => store.addInternal(name),
    load: (configKeys) => store.load(configKeys),
    reload: () => store.reload(),
    flush: () => store.flush(),
  };
}

export interface GatewayRoutes {
  /** The config file's routes, then the dashboard's that it does not shadow. */
  list(): RouteView[];
  /** A dashboard route (body as POST /api/gateway/routes), to backends that exist now. */
  save(body: unknown): Promise<RouteView>;
  remove(model: string): Promise<void>;
  /** What routing reads, from memory. */
  config(): readonly RouteDef[];
  ui(): readonly RouteDef[];
  /** Reads the dashboard's routes from the table (at start; another server changed them). */
  load(): Promise<void>;
}

export interface GatewayRoutesDeps {
  repo: GatewayRepo;
  configRoutes: readonly RouteDef[];
  /** Whether a backend name exists now (config or deployment). */
  knownBackend(name: string): boolean;
  now?: () => number;
  /** After a save or remove made here (the gateway's cached view; other servers reload). */
  onChange?: () => void;
}

export function createGatewayRoutes(deps: GatewayRoutesDeps): GatewayRoutes {
  const store = new RouteStore(deps.repo, deps.configRoutes, deps.now);
  const changed = deps.onChange ?? (() => {});
  return {
    list: () => store.list(),
    async save(body) {
      const route = await store.upsert(body, deps.knownBackend);
      changed();
      return route;
    },
    async remove(model) {
      await store.remove(model);
      changed();
    },
    config: () => store.config(),
    ui: () => store.ui(),
    load: () => store.load(),
  };
}
