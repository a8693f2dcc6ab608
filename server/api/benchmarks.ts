/**
 * REST adapter over the benchmarks core:
 *   POST   /api/benchmarks                 start one (body as `switchyard bench`; 202 with the benchmark)
 *   GET    /api/benchmarks?limit=N[&format=csv|json]   newest first; csv/json as a download
 *   GET    /api/benchmarks/:id[?format=csv|json]       one
 *   GET    /api/benchmarks/:id/events      live progress (server-sent events: progress, run, end; of one
 *                                          another server runs: its levels so far and new ones, end)
 *   POST   /api/benchmarks/:id/cancel      stop a running one (what it measured so far is kept)
 *   DELETE /api/benchmarks/:id             forget a finished one
 */
import { Hono, type Context } from "hono";
import { bodyLimit } from "hono/body-limit";
import { streamSSE } from "hono/streaming";
import { z } from "zod";
import { benchmarksCsv, type BenchmarkEvent, type BenchmarkView } from "../../protocol/benchmarks";
import type { Benchmarks } from "../core/benchmarks/service";
import { ServiceError } from "../core/errors";
import { toErrorResponse } from "./errors";
import { jsonBody } from "./json-body";

/** A benchmark request is a few numbers and a model name. */
const BODY_LIMIT = 4096;
const SSE_PING_MS = 15_000;
const listQuery = z.object({ limit: z.coerce.number().int().min(1).max(1000).default(100), format: z.enum(["csv", "json"]).optional() });
const oneQuery = z.object({ format: z.enum(["csv", "json"]).optional() });
const ID = /^[A-Za-z0-9-]{1,64}$/;

function idOf(c: Context): string {
  const id = c.req.param("id") ?? "";
  if (!ID.test(id)) throw new ServiceError("not_found", "no benchmark with that id (ids are letters, digits and dashes, as the list shows them)");
  return id;
}

function download(c: Context, views: BenchmarkView | BenchmarkView[], format: "csv" | "json", name: string): Response {
  c.header("content-disposition", `attachment; filename="${name}.${format}"`);
  if (format === "csv") return c.body(benchmarksCsv(Array.isArray(views) ? views : [views]), 200, { "content-type": "text/csv; charset=utf-8" });
  return c.json(views);
}

export function benchmarkRoutes(benchmarks: Benchmarks): Hono {
  const app = new Hono();
  app.onError(toErrorResponse);

  app.post("/", bodyLimit({
    maxSize: BODY_LIMIT,
    onError: () => { throw new ServiceError("bad_request", `the request body is over ${BODY_LIMIT} bytes`); },
  }), async (c) => c.json(await benchmarks.start(await jsonBody(c)), 202));

  app.get("/", async (c) => {
    const q = listQuery.parse(c.req.query());
    const views = await benchmarks.list(q.limit);
    return q.format ? download(c, views, q.format, "benchmarks") : c.json(views);
  });

  app.get("/:id", async (c) => {
    const q = oneQuery.parse(c.req.query());
    const view = await benchmarks.get(idOf(c));
    return q.format ? download(c, view, q.format, `benchmark-${view.id.slice(0, 8)}`) : c.json(view);
  });

  app.get("/:id/events", async (c) => {
    const id = idOf(c);
    const first = await benchmarks.get(id); // 404 as JSON before the stream starts
    return streamSSE(c, async (stream) => {
      let chain = Promise.resolve();
      const write = (e: BenchmarkEvent) => void (chain = chain.then(() => stream.writeSSE({ event: e.event, data: JSON.stringify(e.data) })).catch(() => {}));
      let ended = false;
      let onEnd = () => {};
      const stop = await benchmarks.follow(id, (e) => {
        write(e);
        if (e.event === "end") {
          ended = true;
          onEnd();
        }
      });
      if (!stop) {
        write({ event: "end", data: await benchmarks.get(id) });
        await chain;
        return;
      }
      if (first.progress) write({ event: "progress", data: first.progress });
      const ping = setInterval(() => void (chain = chain.then(() => stream.writeSSE({ event: "ping", data: "" })).catch(() => {})), SSE_PING_MS);
      await new Promise<void>((resolve) => {
        onEnd = resolve;
        stream.onAbort(resolve);
        if (ended) resolve();
      });
      clearInterval(ping);
      stop();
      await chain;
    });
  });

  app.post("/:id/cancel", async (c) => c.json(await benchmarks.cancel(idOf(c))));
  app.delete("/:id", async (c) => {
    await benchmarks.remove(idOf(c));
    return c.body(null, 204);
  });
  return app;
}
