/**
 * The server's agent-facing half in this process: a real database (a SQLite file or PostgreSQL, so
 * two of these can share one as two servers of one control plane), the real identity, fleet, history,
 * deployments core, agent hub and REST API behind a real HTTP server on a free port. No dashboard
 * pages (no Next build needed), no gateway. For tests that need to look inside (the event loop,
 * the hub's counters) or to run fast; `startServer` in ./processes.ts runs the whole thing.
 */
import fs from "node:fs";
import type http from "node:http";
import os from "node:os";
import path from "node:path";
import type { Hono } from "hono";
import { createApi } from "../../server/api/app";
import { createAuth } from "../../server/core/auth";
import { createSessions } from "../../server/core/sessions";
import { sessionsRepo } from "../../server/db/repos/sessions-repo";
import { createRequestAuth } from "../../server/http/request-auth";
import { createDeployments, type Deployments } from "../../server/core/deployments";
import type { FitEstimator } from "../../server/core/deployments/fit-hook";
import { createFleet, type Fleet } from "../../server/core/fleet";
import { createHistory, type History } from "../../server/core/history";
import { createIdentity, type Identity } from "../../server/core/identity/identity";
import { createSecrets } from "../../server/core/secrets";
import { openDatabase, type DatabaseTarget, type DbHandle } from "../../server/db/client";
import { deploymentsRepo } from "../../server/db/repos/deployments-repo";
import { identityRepo } from "../../server/db/repos/identity-repo";
import { nodesRepo } from "../../server/db/repos/nodes-repo";
import { samplesRepo } from "../../server/db/repos/samples-repo";
import { settingsRepo } from "../../server/db/repos/settings-repo";
import { createHttpServer } from "../../server/http-server";
import { createAgentHub, type AgentHub } from "../../server/hub/agent-hub";
import { createLiveHub } from "../../server/hub/live-hub";
import { ADMIN_TOKEN, AGENT_TOKEN } from "./processes";

export interface HubServer {
  url: string;
  wsUrl: string;
  /** Where its state is: pass it to another startHubServer for a second server of the control plane. */
  target: DatabaseTarget;
  db: DbHandle;
  identity: Identity;
  fleet: Fleet;
  history: History;
  hub: AgentHub;
  deployments: Deployments;
  api: Hono;
  /** An admin-authenticated REST call. */
  call(method: string, pathname: string, body?: unknown): Promise<{ status: number; json: any }>;
  close(): Promise<void>;
}

export async function startHubServer(opts: {
  /** The database (another server's: two servers of one control plane); default a new SQLite file. */
  target?: DatabaseTarget;
  agentToken?: string | null;
  now?: () => number;
  revalidateEveryMs?: number;
  offlineAfterMs?: number;
  /** Listen here (a restarted or replaced server at the same address); default: any free port. */
  port?: number;
  /** The fit estimate placement and on-demand room use (default: none). */
  fit?: FitEstimator;
} = {}): Promise<HubServer> {
  const target = opts.target ?? { dataDir: fs.mkdtempSync(path.join(os.tmpdir(), "switchyard-hub-test-")) };
  const db = await openDatabase(target, { poolSize: 4 });
  const settings = settingsRepo(db);
  const agentToken = opts.agentToken === null ? undefined : (opts.agentToken ?? AGENT_TOKEN);
  const auth = await createAuth(settings, { adminToken: ADMIN_TOKEN, agentToken });
  const identity = await createIdentity({ repo: identityRepo(db), settings, envToken: agentToken, now: opts.now });
  const fleet = await createFleet(nodesRepo(db));
  const history = createHistory(samplesRepo(db));
  const hub = createAgentHub({ identity, fleet, history, offlineAfterMs: opts.offlineAfterMs ?? 5000, revalidateEveryMs: opts.revalidateEveryMs });
  const secrets = createSecrets(settings);
  const deployments = await createDeployments({ repo: deploymentsRepo(db), fleet, hub, secrets, fit: opts.fit });
  const sessions = createSessions(sessionsRepo(db));
  const requestAuth = createRequestAuth(auth, sessions);
  const liveHub = createLiveHub({ authorize: (req) => requestAuth.allowsUpgrade(req.headers), fleet });
  const api = createApi({
    auth, sessions, fleet, history, isReady: () => true, deployments: { core: deployments, secrets }, identity, agents: hub,
    hubStats: () => ({ ...hub.stats(), liveClients: liveHub.clientCount() }),
  });
  const server: http.Server = createHttpServer({ api, requestAuth, agentHub: hub, liveHub, pages: null });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? 0, "127.0.0.1", resolve);
  });
  const port = (server.address() as { port: number }).port;
  const url = `http://127.0.0.1:${port}`;
  return {
    url, wsUrl: `ws://127.0.0.1:${port}/ws/agent`, target, db, identity, fleet, history, hub, deployments, api,
    async call(method, pathname, body) {
      const res = await fetch(`${url}${pathname}`, {
        method, headers: { authorization: `Bearer ${ADMIN_TOKEN}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      let json: any = null;
      try { json = JSON.parse(text); } catch { /* empty or text */ }
      return { status: res.status, json };
    },
    async close() {
      await deployments.close();
      await hub.close();
      await liveHub.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await history.close();
      await db.close();
    },
  };
}
