/**
 * REST adapter over the fit service:
 *   POST /api/fit          {model, engine, ctx, parallel, kvDtype, quant, gpuMem, util, tp, facts?} → the estimate
 *   POST /api/fit/matrix   {model, engine, ctx, parallel, kvDtype, quant, util, facts?} → every node's GPU sets
 *                          against their measured free memory
 *   GET  /api/fit/calibrations?limit=N → measured vs estimated, newest first
 */
import { Hono } from "hono";
import { z } from "zod";
import type { FitService } from "../core/fit/service";
import { toErrorResponse } from "./errors";
import { jsonBody } from "./json-body";

const calibrationsQuery = z.object({ limit: z.coerce.number().int().min(1).max(1000).default(100) });


export function fitRoutes(fit: FitService): Hono {
  const app = new Hono();
  app.onError(toErrorResponse);
  app.post("/", async (c) => c.json(await fit.estimate(await jsonBody(c))));
  app.post("/matrix", async (c) => c.json(await fit.matrix(await jsonBody(c))));
  app.get("/calibrations", async (c) => c.json(await fit.calibrations(calibrationsQuery.parse(c.req.query()).limit)));
  return app;
}
