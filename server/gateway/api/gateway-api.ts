/**
 * REST for the dashboard (`/api/gateway/*`, behind the admin token or session like all of /api):
 * status (backends, routes with target health and traffic, failovers), routes, API keys, and the
 * request log. A thin adapter over the Gateway object.
 */
import { Hono, type Context } from "hono";
import { z } from "zod";
import type { ApiKeyView, BackendView, GatewayStatus, RequestLogEntry, RouteTargetView, RouteViewDto } from "../../../protocol/gateway";
import { ServiceError } from "../../core/errors";
import type { GatewayKey } from "../auth/keys";
import type { Gateway } from "../gateway";
import type { RequestRecord } from "../exchange";
import { resolveModel, toTiers, type Tier } from "../routing/route-table";

const keyBody = z.object({
  name: z.string().trim().min(1, "name is required").max(80).regex(/^[\w.@ -]+$/, "use letters, digits, spaces and . _ @ -"),
  models: z.array(z.string().trim().min(1)).nullish(),
});

const logQuery = z.object({
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  before: z.coerce.number().int().optional(),
  model: z.string().optional(),
  key: z.string().optional(),
  failed: z.enum(["0", "1"]).optional(),
});

async function json(c: Context): Promise<unknown> {
  try {
    return await c.req.json();
  } catch {
    throw new ServiceError("bad_request", "the request body must be JSON");
  }
}

function keyView(k: GatewayKey): ApiKeyView {
  const { source, ...rest } = k;
  return { ...rest, source: source === "config" ? "config" : "ui" };
}

export function entryOf(r: RequestRecord): RequestLogEntry {
  const { protocol: _p, body: _b, hops: _h, ...rest } = r;
  return rest;
}

export function gatewayStatus(gw: Gateway): GatewayStatus {
  const health = gw.healthViews();
  const backends: BackendView[] = [...gw.backends().values()].map((b) => {
    const h = health.get(b.name)!;
    return { name: b.name, url: b.url, api: b.api, kind: b.kind, source: b.source, hasKey: b.apiKey !== null, ...h };
  });
  const traffic = new Map(gw.requestLog.trafficByTarget().map((t) => [t.target, t]));
  const targetView = (tier: Tier): RouteTargetView[] => tier.map((t) => {
    const tr = traffic.get(t.id);
    return { ...t, availability: health.get(t.backend)?.availability ?? null, perMinute: tr?.perMinute ?? 0, errors: tr?.errors ?? 0, avgTtftMs: tr?.avgTtftMs ?? null };
  });
  const routes: RouteViewDto[] = gw.routes.list().map((r) => ({ model: r.model, source: r.source, targets: r.targets, tiers: toTiers(r.targets).map(targetView) }));
  for (const name of gw.models()) {
    if (routes.some((r) => r.model === name)) continue;
    const resolved = resolveModel(name, { configRoutes: [], uiRoutes: [], backends: new Map([[name, { deploymentModel: gw.backends().get(name)?.deploymentModel }]]) });
    if (resolved) routes.push({ model: name, source: "deployment", targets: resolved.tiers.map((t) => t.map((x) => x.id)), tiers: resolved.tiers.map(targetView) });
  }
  return { backends, routes, failovers: gw.requestLog.recentFailovers().slice(0, 50), recent: gw.requestLog.recentRequests().slice(0, 50).map(entryOf) };
}

export function createGatewayApi(gw: Gateway): Hono {
  const app = new Hono();

  app.get("/status", (c) => c.json(gatewayStatus(gw)));

  app.get("/routes", (c) => c.json(gatewayStatus(gw).routes));
  app.post("/routes", async (c) => {
    const route = gw.routes.upsert(await json(c), (name) => gw.backends().has(name));
    gw.invalidate();
    return c.json(route, 201);
  });
  app.delete("/routes/:model{.+}", (c) => {
    gw.routes.remove(decodeURIComponent(c.req.param("model")));
    gw.invalidate();
    return c.body(null, 204);
  });

  app.get("/keys", (c) => c.json(gw.keys.list().map(keyView)));
  app.post("/keys", async (c) => {
    const { name, models } = keyBody.parse(await json(c));
    const { key, record } = gw.keys.create(name, models && models.length > 0 ? models : null);
    return c.json({ key, record: keyView(record) }, 201);
  });
  app.delete("/keys/:id", (c) => c.json(keyView(gw.keys.revoke(c.req.param("id")))));

  app.get("/requests", (c) => {
    const q = logQuery.parse(c.req.query());
    gw.requestLog.flush(); // include what is still buffered
    const rows = gw.requests({ limit: q.limit, beforeId: q.before, model: q.model, keyName: q.key, failedOnly: q.failed === "1" });
    return c.json(rows);
  });

  return app;
}
