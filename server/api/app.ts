/**
 * The REST API (`/api/*`): a thin adapter over the core. Every route but health and sign-in needs
 * the admin token (Bearer) or the dashboard's session cookie.
 */
import { Hono } from "hono";
import { z } from "zod";
import { HISTORY_RANGES, type EnrollmentInfo } from "../../protocol/live";
import { agentCommand } from "../../protocol/enrollment";
import type { Auth } from "../core/auth";
import { ServiceError } from "../core/errors";
import type { Fleet } from "../core/fleet";
import type { History } from "../core/history";
import type { Sessions } from "../core/sessions";
import type { AgentHubStats } from "../hub/agent-hub";
import { removeNode } from "../core/remove-node";
import { errorBody, toErrorResponse } from "./errors";
import type { Deployments } from "../core/deployments";
import type { Secrets } from "../core/secrets";
import { deploymentRoutes } from "./deployments";
import type { FitService } from "../core/fit/service";
import { fitRoutes } from "./fit";
import type { Identity } from "../core/identity/identity";
import { enrollmentRoutes, requestBaseUrl } from "./enrollment";
import { lanAddresses } from "../lan-addresses";
import type { AlertsService } from "../core/alerts/service";
import { alertRoutes } from "./alerts";
import { sessionRoutes, signOutEverywhereRoute } from "./session";
import type { ClientAddress } from "../http/forwarded";
import { bodyLimit } from "../http/body-limit";
import { isSameOrigin } from "../http/credentials";
import { createRequestAuth } from "../http/request-auth";
import type { Benchmarks } from "../core/benchmarks/service";
import { benchmarkRoutes } from "./benchmarks";

export interface ApiDeps {
  auth: Auth;
  /** Dashboard sign-ins (server-side sessions). */
  sessions: Sessions;
  /** Clients' addresses behind a trusted reverse proxy (sign-in attempts are limited per address). */
  clientAddress?: ClientAddress;
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
  /** Agent identity (enrollment, join tokens, revocation); without it the enrollment token of `auth` is shown. */
  identity?: Identity;
  /** The agent hub's way to cut a node off when it is removed; without it an online node cannot be removed. */
  agents?: { cutOff(name: string, reason: string): Promise<void> };
  /** The SHA-256 of the server's own TLS certificate (server/tls), null when it serves plain HTTP. */
  tlsFingerprint?: () => string | null;
  /** Its public key's pin for curl (`--pinnedpubkey`), for the install one-liner (protocol/enrollment.ts). */
  tlsCurlPin?: () => string | null;
  /** This server's LAN addresses (default: its non-internal interfaces). */
  lanAddresses?: () => string[];
  /** Alerts (issue 12): rules, channels, what fires, history; optional like deployments. */
  alerts?: AlertsService;
  /** Benchmarks through the gateway (issue 11); optional like deployments. */
  benchmarks?: Benchmarks;
}

const historyQuery = z.object({ range: z.enum(HISTORY_RANGES).default("15m") });

export function createApi(deps: ApiDeps): Hono {
  const { auth, fleet, history, sessions } = deps;
  const requestAuth = createRequestAuth(auth, sessions);
  const app = new Hono().basePath("/api");
  app.onError(toErrorResponse);
  app.notFound((c) => c.json(errorBody("not_found", `no API route ${c.req.method} ${c.req.path}`), 404));
  // First, before any route or credential check reads the body.
  app.use("*", bodyLimit());

  app.get("/health", (c) =>
    deps.isReady() ? c.json({ status: "ok" }) : c.json({ status: "starting" }, 503));

  app.route("/", sessionRoutes({ auth, sessions, requestAuth, clientAddress: deps.clientAddress }));

  app.use("*", async (c, next) => {
    const caller = await requestAuth.identify({ authorization: c.req.header("authorization"), cookie: c.req.header("cookie") });
    if (caller === "admin-token") return next();
    if (caller === null) {
      throw new ServiceError("unauthorized", "this needs the admin token: send it as 'Authorization: Bearer …' or sign in at /login");
    }
    const safe = c.req.method === "GET" || c.req.method === "HEAD" || c.req.method === "OPTIONS";
    if (!safe && !isSameOrigin(c.req.header("origin"), c.req.header("host"))) {
      throw new ServiceError("forbidden", "cross-origin request refused: changes signed in by cookie must come from the dashboard itself");
    }
    await next();
  });

  app.route("/", signOutEverywhereRoute(sessions));

  app.get("/nodes", (c) => c.json(fleet.list()));

  const nodeOr404 = (name: string) => {
    const node = fleet.get(name);
    if (!node) throw new ServiceError("not_found", `no node named '${name}' (known: ${fleet.list().map((n) => n.name).join(", ") || "none yet"})`);
    return node;
  };

  app.get("/nodes/:name", (c) => c.json(nodeOr404(c.req.param("name"))));

  app.delete("/nodes/:name", async (c) => {
    const { identity, agents, deployments } = deps;
    await removeNode(c.req.param("name"), {
      fleet, history,
      revoke: identity && ((name) => identity.revoke(name)),
      cutOff: agents && ((name, reason) => agents.cutOff(name, reason)),
      forgetDeployments: deployments && ((name) => deployments.core.forgetNode(name)),
    });
    return c.body(null, 204);
  });

  app.get("/nodes/:name/history", async (c) => {
    const node = nodeOr404(c.req.param("name"));
    const { range } = historyQuery.parse(c.req.query());
    return c.json(await history.query(node, range));
  });

  if (deps.identity) {
    app.route("/enrollment", enrollmentRoutes({
      identity: deps.identity, lanAddresses: deps.lanAddresses ?? lanAddresses,
      tlsFingerprint: deps.tlsFingerprint ?? (() => null), tlsCurlPin: deps.tlsCurlPin ?? (() => null),
    }));
  } else {
    app.get("/enrollment", (c) => {
      const serverUrl = requestBaseUrl(c);
      const command = agentCommand(serverUrl, auth.agentToken, deps.tlsFingerprint?.() ?? null);
      const info: EnrollmentInfo = { agentToken: auth.agentToken, serverUrl, command };
      return c.json(info);
    });
  }

  app.get("/stats", (c) => c.json(deps.hubStats()));
  if (deps.deployments) app.route("/", deploymentRoutes(deps.deployments.core, deps.deployments.secrets));
  if (deps.gateway) app.route("/gateway", deps.gateway);
  if (deps.fit) app.route("/fit", fitRoutes(deps.fit));
  if (deps.alerts) app.route("/alerts", alertRoutes(deps.alerts));
  if (deps.benchmarks) app.route("/benchmarks", benchmarkRoutes(deps.benchmarks));

  return app;
}
