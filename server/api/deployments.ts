/**
 * REST adapter over the deployments core, and the secrets the server hands to nodes:
 *   POST   /api/deployments                       deploy (201, the deployment as it starts)
 *   GET    /api/deployments                       list
 *   GET    /api/deployments/:name                 one
 *   DELETE /api/deployments/:name                 stop and remove (202 while its node is offline)
 *   POST   /api/deployments/:name/restart
 *   POST   /api/deployments/:name/load[?wait=S]  on demand: load it (waits until ready, or S seconds; 0: 202 at once)
 *   POST   /api/deployments/:name/unload     on demand: unload it (waits for requests in flight)
 *   GET    /api/deployments/:name/logs?tail=N     last lines (text/plain)
 *   GET    /api/deployments/:name/logs?follow=1   live lines (server-sent events: data per line, `end` last)
 *   PUT    /api/secrets/hf-token {"value": "…"}   store the Hugging Face token (never returned)
 *   DELETE /api/secrets/hf-token
 *   GET    /api/secrets                           which secrets are set
 */
import { Hono, type Context } from "hono";
import { streamSSE } from "hono/streaming";
import { z } from "zod";
import type { Deployments } from "../core/deployments";
import { ServiceError } from "../core/errors";
import { NAME_PATTERN } from "../../protocol/deployments";
import { loadQuerySchema } from "../../protocol/ondemand";
import type { Secrets } from "../core/secrets";
import { toErrorResponse } from "./errors";
import { jsonBody } from "./json-body";

const logsQuery = z.object({
  tail: z.coerce.number().int().min(0).max(10_000).default(200),
  follow: z.enum(["1", "true", "0", "false"]).optional(),
});
const secretBody = z.object({ value: z.string().trim().min(1, "value is required").max(4096) });
const SSE_PING_MS = 15_000;


type SseEvent = { event?: string; data: string };

/** Follows a deployment's logs as SSE. The stream is opened before the response, so errors still get a JSON status. */
async function followAsSse(c: Context, deployments: Deployments, name: string, tail: number): Promise<Response> {
  const pending: SseEvent[] = [];
  let write: ((ev: SseEvent) => void) | null = null;
  let ended = false;
  let onEnded = () => {};
  const push = (ev: SseEvent) => (write ? write(ev) : pending.push(ev));
  const cancel = await deployments.follow(name, tail, {
    lines: (lines) => lines.forEach((l) => push({ data: l.replace(/\r/g, "") })),
    end: (reason) => {
      push({ event: "end", data: reason ?? "" });
      ended = true;
      onEnded();
    },
  });
  return streamSSE(c, async (stream) => {
    let chain = Promise.resolve();
    write = (ev) => void (chain = chain.then(() => stream.writeSSE(ev)).catch(() => {}));
    for (const ev of pending.splice(0)) write(ev);
    const finished = new Promise<void>((resolve) => {
      onEnded = resolve;
      stream.onAbort(resolve);
      if (ended) resolve();
    });
    const ping = setInterval(() => write?.({ event: "ping", data: "" }), SSE_PING_MS);
    await finished;
    clearInterval(ping);
    cancel();
    await chain;
  });
}

export function deploymentRoutes(deployments: Deployments, secrets: Secrets): Hono {
  const app = new Hono();
  app.onError(toErrorResponse);

  app.post("/deployments", async (c) => c.json(await deployments.create(await jsonBody(c)), 201));
  app.get("/deployments", (c) => c.json(deployments.list()));
  app.get("/deployments/:name", (c) => c.json(deployments.get(c.req.param("name"))));

  app.delete("/deployments/:name", async (c) => {
    const result = await deployments.stop(c.req.param("name"));
    return c.json(result, result.removed ? 200 : 202);
  });

  app.post("/deployments/:name/restart", async (c) => c.json(await deployments.restart(c.req.param("name"))));

  /** An on-demand deployment by the name in the path (checked before anything starts). */
  const onDemandNamed = (c: Context) => {
    const name = c.req.param("name") ?? "";
    if (!NAME_PATTERN.test(name)) throw new ServiceError("bad_request", "not a deployment name: lowercase letters, digits, '.', '_' or '-' (at most 63)");
    const view = deployments.get(name);
    if (!view.onDemand) throw new ServiceError("conflict", `${name} always runs (deployed without --on-demand): there is nothing to load or unload`);
    return name;
  };

  app.post("/deployments/:name/load", async (c) => {
    const name = onDemandNamed(c);
    const { wait } = loadQuerySchema.parse(c.req.query());
    const loading = deployments.load(name);
    if (wait === undefined) return c.json(await loading);
    loading.catch(() => {}); // the outcome is in the deployment's view (onDemand.lastLoad)
    const timedOut = Symbol("timeout");
    let timer: NodeJS.Timeout | undefined;
    const first = await Promise.race([loading, new Promise<symbol>((resolve) => (timer = setTimeout(() => resolve(timedOut), wait * 1000)))]);
    clearTimeout(timer);
    return first === timedOut ? c.json(deployments.get(name), 202) : c.json(first);
  });

  app.post("/deployments/:name/unload", async (c) => c.json(await deployments.unload(onDemandNamed(c))));

  app.get("/deployments/:name/logs", async (c) => {
    const name = c.req.param("name");
    const q = logsQuery.parse(c.req.query());
    if (q.follow === "1" || q.follow === "true") return followAsSse(c, deployments, name, q.tail);
    const lines = await deployments.logs(name, q.tail);
    return c.text(lines.length ? `${lines.join("\n")}\n` : "");
  });

  app.get("/secrets", async (c) => c.json(await secrets.status()));
  app.put("/secrets/hf-token", async (c) => {
    const { value } = secretBody.parse(await jsonBody(c));
    await secrets.setHfToken(value);
    return c.body(null, 204);
  });
  app.delete("/secrets/hf-token", async (c) => {
    await secrets.setHfToken(null);
    return c.body(null, 204);
  });
  return app;
}
