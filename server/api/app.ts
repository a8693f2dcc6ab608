/**
 * The REST API (`/api/*`): a thin adapter over the core. Every route but health and sign-in needs
 * the admin token (Bearer) or the dashboard's session cookie.
 */
import { Hono, type Context } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { z } from "zod";
import { HISTORY_RANGES, type EnrollmentInfo } from "../../protocol/live";
import { SESSION_COOKIE, bearer, isSameOrigin, type Auth } from "../core/auth";
import { ServiceError } from "../core/errors";
import type { Fleet } from "../core/fleet";
import type { History } from "../core/history";
import type { AgentHubStats } from "../hub/agent-hub";
import { createLoginLimiter } from "../core/login-limiter";
import { removeNode } from "../core/remove-node";
import { getConnInfo } from "@hono/node-server/conninfo";
import { errorBody, toErrorResponse } from "./errors";
import type { Deployments } from "../core/deployments";
import type { Secrets } from "../core/secrets";
import { deploymentRoutes } from "./deployments";
import type { FitService } from "../core/fit/service";
import { fitRoutes } from "./fit";
import { jsonBody } from "./json-body";
import type { Benchmarks } from "../core/benchmarks/service";
import { benchmarkRoutes } from "./benchmarks";

export interface ApiDeps {
  auth: Auth;
  fleet: Fleet;
  history: History;
  hubStats: () => AgentHubStats & { liveClients: number };
  isReady: () => boolean;
  /** Deploys (issue 3); optional so API tests of other areas need not build them. */
  deployments?: { core: Deployments; secrets: Secrets };
  /** VRAM fit (issue 4): estimates, the fleet matrix, calibrations; optional like deployments. */
  fit?: FitService;
  /** The gateway's dashboard REST (`/api/gateway/*`, server/gateway/api); optional like deployments. */
  gateway?: Hono;
  /** Benchmarks through the gateway (issue 11); optional like deployments. */
  benchmarks?: Benchmarks;
}

const sessionBody = z.object({ token: z.string().min(1, "token is required") });
const historyQuery = z.object({ range: z.enum(HISTORY_RANGES).default("15m") });


function baseUrl(c: Context): string {
  const proto = c.req.header("x-forwarded-proto") ?? "http";
  return `${proto}://${c.req.header("host") ?? "localhost:3000"}`;
}

export function createApi(deps: ApiDeps): Hono {
  const { auth, fleet, history } = deps;
  const app = new Hono().basePath("/api");
  app.onError(toErrorResponse);
  app.notFound((c) => c.json(errorBody("not_found", `no API route ${c.req.method} ${c.req.path}`), 404));

  app.get("/health", (c) =>
    deps.isReady() ? c.json({ status: "ok" }) : c.json({ status: "starting" }, 503));

  const limiter = createLoginLimiter();
  const clientAddress = (c: Context) => {
    try {
      return getConnInfo(c).remote.address ?? "unknown";
    } catch {
      return "unknown"; // app.request() in tests has no socket
    }
  };

  app.post("/session", async (c) => {
    const address = clientAddress(c);
    const waitMs = limiter.retryAfterMs(address);
    if (waitMs > 0) {
      c.header("retry-after", String(Math.ceil(waitMs / 1000)));
      return c.json(errorBody("rate_limited", `too many wrong tokens: try again in ${Math.ceil(waitMs / 1000)} s`), 429);
    }
    const { token } = sessionBody.parse(await jsonBody(c));
    if (!auth.checkAdminToken(token)) {
      limiter.recordFailure(address);
      throw new ServiceError("unauthorized", "that admin token is not right");
    }
    limiter.recordSuccess(address);
    const session = auth.issueSession();
    setCookie(c, SESSION_COOKIE, session.value, { httpOnly: true, sameSite: "Lax", path: "/", maxAge: session.maxAgeS });
    return c.body(null, 204);
  });

  app.delete("/session", (c) => {
    deleteCookie(c, SESSION_COOKIE, { path: "/" });
    return c.body(null, 204);
  });

  app.use("*", async (c, next) => {
    if (auth.checkAdminToken(bearer(c.req.header("authorization")))) return next();
    if (!auth.checkSession(getCookie(c, SESSION_COOKIE))) {
      throw new ServiceError("unauthorized", "this needs the admin token: send it as 'Authorization: Bearer …' or sign in at /login");
    }
    const safe = c.req.method === "GET" || c.req.method === "HEAD" || c.req.method === "OPTIONS";
    if (!safe && !isSameOrigin(c.req.header("origin"), c.req.header("host"))) {
      throw new ServiceError("forbidden", "cross-origin request refused: changes signed in by cookie must come from the dashboard itself");
    }
    await next();
  });

  app.get("/nodes", (c) => c.json(fleet.list()));

  const nodeOr404 = (name: string) => {
    const node = fleet.get(name);
    if (!node) throw new ServiceError("not_found", `no node named '${name}' (known: ${fleet.list().map((n) => n.name).join(", ") || "none yet"})`);
    return node;
  };

  app.get("/nodes/:name", (c) => c.json(nodeOr404(c.req.param("name"))));

  app.delete("/nodes/:name", async (c) => {
    const deploymentsOn = (node: string) => deps.deployments?.core.list().filter((d) => d.node === node).map((d) => d.name) ?? [];
    await removeNode(c.req.param("name"), { fleet, history, deploymentsOn });
    return c.body(null, 204);
  });

  app.get("/nodes/:name/history", async (c) => {
    const node = nodeOr404(c.req.param("name"));
    const { range } = historyQuery.parse(c.req.query());
    return c.json(await history.query(node, range));
  });

  app.get("/enrollment", (c) => {
    const serverUrl = baseUrl(c);
    const info: EnrollmentInfo = {
      agentToken: auth.agentToken,
      serverUrl,
      command: `npx switchyard-agent --server ${serverUrl} --token ${auth.agentToken}`,
    };
    return c.json(info);
  });

  app.get("/stats", (c) => c.json(deps.hubStats()));
  if (deps.deployments) app.route("/", deploymentRoutes(deps.deployments.core, deps.deployments.secrets));
  if (deps.gateway) app.route("/gateway", deps.gateway);
  if (deps.fit) app.route("/fit", fitRoutes(deps.fit));
  if (deps.benchmarks) app.route("/benchmarks", benchmarkRoutes(deps.benchmarks));

  return app;
}
