/**
 * Routes: the config file's (read-only here) and the dashboard's (persisted). A dashboard route may
 * not shadow a config route: the file wins at every start, so an edit there would silently vanish.
 */
import { z } from "zod";
import type { GatewayRepo } from "../../db/repos/gateway-repo";
import { ServiceError } from "../errors";
import { MAX_TARGETS, targetEntrySchema, type RouteDef } from "./route-targets";

export const routeBodySchema = z.object({
  model: z.string().trim().min(1, "model is required").max(200),
  targets: z.array(targetEntrySchema).min(1, "needs at least one BACKEND/MODEL target").max(MAX_TARGETS, `a route has at most ${MAX_TARGETS} targets`)
    .refine((t) => t.flat().length <= MAX_TARGETS, `a route has at most ${MAX_TARGETS} targets, equal-rank groups included`),
});

export interface RouteView extends RouteDef {
  source: "config" | "ui";
  updatedAt: number | null;
}

/** Dashboard routes are held in memory (read at start, reread after each change): routing never waits on the database. */
export class RouteStore {
  private uiRoutes: Array<RouteDef & { updatedAt: number }> = [];

  constructor(private readonly repo: GatewayRepo, private readonly configRoutes: readonly RouteDef[], private readonly now: () => number = Date.now) {}

  async load(): Promise<void> {
    const routes: Array<RouteDef & { updatedAt: number }> = [];
    for (const row of await this.repo.routes()) {
      const targets = z.array(targetEntrySchema).safeParse(safeJson(row.targets));
      if (targets.success) routes.push({ model: row.model, targets: targets.data, updatedAt: row.updatedAt });
    }
    this.uiRoutes = routes;
  }

  config(): readonly RouteDef[] {
    return this.configRoutes;
  }

  ui(): readonly RouteDef[] {
    return this.uiRoutes;
  }

  list(): RouteView[] {
    return [
      ...this.configRoutes.map((r) => ({ ...r, source: "config" as const, updatedAt: null })),
      ...this.uiRoutes.filter((r) => !this.configRoutes.some((c) => c.model === r.model)).map((r) => ({ ...r, source: "ui" as const })),
    ];
  }

  /** `knownBackend` says whether a backend name exists now (config or deployment). */
  async upsert(body: unknown, knownBackend: (name: string) => boolean): Promise<RouteView> {
    const { model, targets } = routeBodySchema.parse(body);
    if (this.configRoutes.some((r) => r.model === model)) {
      throw new ServiceError("conflict", `the route for ${model} comes from the config file: change it there`);
    }
    const unknown = targets.flat().map((t) => t.slice(0, t.indexOf("/"))).filter((b) => !knownBackend(b));
    if (unknown.length > 0) {
      throw new ServiceError("bad_request", `no backend named ${[...new Set(unknown)].join(", ")}: add it to the config file's backends, or deploy it first`);
    }
    const at = this.now();
    await this.repo.upsertRoute(model, JSON.stringify(targets), at);
    await this.load();
    return { model, targets, source: "ui", updatedAt: at };
  }

  async remove(model: string): Promise<void> {
    if (this.configRoutes.some((r) => r.model === model)) {
      throw new ServiceError("conflict", `the route for ${model} comes from the config file: remove it there`);
    }
    if (!(await this.repo.deleteRoute(model))) throw new ServiceError("not_found", `no dashboard route for ${model}`);
    await this.load();
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
