/**
 * REST for the dashboard (`/api/gateway/*`, behind the admin token or session like all of /api):
 * status (backends, routes with target health and traffic, failovers), routes, API keys, and the
 * request log. A thin adapter over the Gateway object.
 */
import { Hono } from "hono";
import { z } from "zod";
import type { Gateway } from "../gateway";
import { jsonBody } from "../../api/json-body";

const logQuery = z.object({
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  before: z.coerce.number().int().optional(),
  model: z.string().optional(),
  key: z.string().optional(),
  failed: z.enum(["0", "1"]).optional(),
});

export function createGatewayApi(gw: Gateway): Hono {
  const app = new Hono();

  app.get("/status", (c) => c.json(gw.status()));

  app.get("/routes", (c) => c.json(gw.status().routes));
  app.post("/routes", async (c) => c.json(await gw.routes.save(await jsonBody(c)), 201));
  app.delete("/routes/:model{.+}", async (c) => {
    // Hono has decoded the parameter once already: a second decode made `100%25` a 500.
    await gw.routes.remove(c.req.param("model"));
    return c.body(null, 204);
  });

  app.get("/keys", (c) => c.json(gw.keys.list()));
  app.post("/keys", async (c) => c.json(await gw.keys.create(await jsonBody(c)), 201));
  app.delete("/keys/:id", async (c) => c.json(await gw.keys.revoke(c.req.param("id"))));

  app.get("/requests", async (c) => {
    const q = logQuery.parse(c.req.query());
    return c.json(await gw.requests({ limit: q.limit, beforeId: q.before, model: q.model, keyName: q.key, failedOnly: q.failed === "1" }));
  });

  return app;
}
