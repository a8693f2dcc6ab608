/**
 * REST adapter over the alerts (behind the admin token or session like all of /api):
 *   GET    /api/alerts/summary                 {firing: N} (the navigation badge)
 *   GET    /api/alerts/firing                  what fires now
 *   GET    /api/alerts/history?limit=&before=  occurrences, newest first, with their deliveries
 *   GET    /api/alerts/rules                   config-file and dashboard rules
 *   POST   /api/alerts/rules                   create or replace a dashboard rule (body: the config shape, with name)
 *   DELETE /api/alerts/rules/:name
 *   GET    /api/alerts/channels                channels, URLs masked
 *   POST   /api/alerts/channels                {name, url}: create or replace a dashboard channel
 *   DELETE /api/alerts/channels/:name
 *   POST   /api/alerts/channels/:name/test     sends a test notice now: {ok, error}
 *   GET    /api/alerts/tests                   recent channel tests
 */
import { Hono, type Context } from "hono";
import { z } from "zod";
import type { AlertsService } from "../core/alerts/service";
import { bodyLimit } from "../http/body-limit";
import { toErrorResponse } from "./errors";
import { jsonBody } from "./json-body";

const historyQuery = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(100),
  before: z.coerce.number().int().positive().optional(),
});

/** Rule and channel bodies are small: anything bigger is refused before it is parsed. */
const MAX_BODY_BYTES = 16 * 1024;

export function alertRoutes(alerts: AlertsService): Hono {
  const app = new Hono();
  app.onError(toErrorResponse);

  app.use("*", bodyLimit(MAX_BODY_BYTES));
  const body = (c: Context) => jsonBody(c, MAX_BODY_BYTES);

  app.get("/summary", async (c) => c.json(await alerts.summary()));
  app.get("/firing", async (c) => c.json(await alerts.firing()));
  app.get("/history", async (c) => {
    const q = historyQuery.parse(c.req.query());
    return c.json(await alerts.history(q.limit, q.before));
  });

  app.get("/rules", (c) => c.json(alerts.rules()));
  app.post("/rules", async (c) => c.json(await alerts.saveRule(await body(c)), 201));
  app.delete("/rules/:name", async (c) => {
    await alerts.deleteRule(c.req.param("name"));
    return c.body(null, 204);
  });

  app.get("/channels", (c) => c.json(alerts.channels()));
  app.post("/channels", async (c) => c.json(await alerts.saveChannel(await body(c)), 201));
  app.delete("/channels/:name", async (c) => {
    await alerts.deleteChannel(c.req.param("name"));
    return c.body(null, 204);
  });
  app.post("/channels/:name/test", async (c) => c.json(await alerts.testChannel(c.req.param("name"))));
  app.get("/tests", async (c) => c.json(await alerts.recentTests()));
  return app;
}
