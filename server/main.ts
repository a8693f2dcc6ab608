/**
 * Composition root: settings → database → core → hubs and API → one HTTP server → local agents.
 * `--demo` adds a simulated fleet. Stops cleanly on SIGINT/SIGTERM, flushing history.
 */
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { ConfigError, loadEnv } from "./config/env";
import { nodesRepo } from "./db/repos/nodes-repo";
import { samplesRepo } from "./db/repos/samples-repo";
import { createAuth } from "./core/auth";
import { createSessions } from "./core/sessions";
import { sessionsRepo } from "./db/repos/sessions-repo";
import { openStorage } from "./config/open-storage";
import { createRequestAuth } from "./http/request-auth";
import { createFleet } from "./core/fleet";
import { createHistory } from "./core/history";
import { createAgentHub } from "./hub/agent-hub";
import { createLiveHub } from "./hub/live-hub";
import { createApi } from "./api/app";
import { createHttpServer, type PageHandler } from "./http-server";
import { demoSpecs, provisionAgents, startAgents, type AgentSpec } from "./local-agents";
import { createIdentity } from "./core/identity/identity";
import { identityRepo } from "./db/repos/identity-repo";
import { createLogger, flushLogs } from "../lib/logger";
import { createDeployments } from "./core/deployments";
import { createFitModule } from "./core/fit/module";
import { createSecrets } from "./core/secrets";
import { deploymentsRepo } from "./db/repos/deployments-repo";
import { gatewayRepo } from "./db/repos/gateway-repo";
import { loadConfigFile } from "./gateway/config/load";
import { Gateway } from "./gateway/gateway";
import { createGatewayHandler } from "./gateway/http";
import { createGatewayApi } from "./gateway/api/gateway-api";
import { loadServerTls } from "./tls/server-tls";
import { createAgentDist } from "./agent-dist/routes";
import { createAlerts } from "./core/alerts/module";
import { DEFAULT_BASES } from "./core/alerts/channels/channel-url";
import { alertsRepo } from "./db/repos/alerts-repo";
import { dashboardSessionCheck } from "./gateway/auth/dashboard-session";
import { createBenchmarkModule } from "./core/benchmarks/module";
import { openControlPlane, singleServer } from "./cluster/control-plane";
import { clientAddressResolver } from "./http/forwarded";

const log = createLogger("server");
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

async function loadPages(): Promise<PageHandler> {
  // tsx turns Node's source maps on for our TypeScript. With them on, Node also reads and keeps the
  // map Next.js ships beside each compiled file as it loads it: ~20 MiB of heap, for stack traces
  // through Next's minified code. Off while Next loads; on again, our modules keep theirs.
  const sourceMaps = process.sourceMapsEnabled;
  process.setSourceMapsEnabled(false);
  try {
    const { default: next } = await import("next");
    const app = next({ dev: false, dir: root, quiet: true });
    await app.prepare();
    const handle = app.getRequestHandler();
    return (req, res) => handle(req, res);
  } finally {
    process.setSourceMapsEnabled(sourceMaps);
  }
}

async function main(argv: string[]) {
  const demo = argv.includes("--demo");
  const env = loadEnv();
  const config = loadConfigFile(env.SWITCHYARD_CONFIG);
  const tls = await loadServerTls(env, log);
  const { dbHandle, box, settings } = await openStorage(env, log);
  const auth = await createAuth(settings, { adminToken: env.SWITCHYARD_ADMIN_TOKEN, agentToken: env.SWITCHYARD_AGENT_TOKEN });
  const sessions = createSessions(sessionsRepo(dbHandle));
  if (auth.adminTokenChanged) log.info({ ended: await sessions.endAll() }, "the admin token changed: signed out every dashboard session");
  const requestAuth = createRequestAuth(auth, sessions);
  const fleet = await createFleet(nodesRepo(dbHandle));
  const history = createHistory(samplesRepo(dbHandle));
  const identity = await createIdentity({ repo: identityRepo(dbHandle), settings, envToken: env.SWITCHYARD_AGENT_TOKEN });
  const clientAddress = clientAddressResolver(env.SWITCHYARD_TRUSTED_PROXIES);
  const agentHub = createAgentHub({ identity, fleet, history, offlineAfterMs: env.SWITCHYARD_OFFLINE_AFTER_S * 1000, clientAddress });
  // Several servers on one PostgreSQL database act as one control plane (server/cluster).
  const controlPlane = env.SWITCHYARD_DATABASE_URL
    ? await openControlPlane({ databaseUrl: env.SWITCHYARD_DATABASE_URL, db: dbHandle, hub: agentHub, fleet, sessions, label: `${os.hostname()}:${env.PORT}` })
    : singleServer(agentHub);
  const { cluster } = controlPlane;
  const liveHub = createLiveHub({ authorize: (req) => requestAuth.allowsUpgrade(req.headers), fleet });
  const secrets = createSecrets(settings);
  const fit = createFitModule({ db: dbHandle, fleet, secrets, dataDir: env.dataDir, hfEndpoint: env.SWITCHYARD_HF_ENDPOINT });
  const deployments = await createDeployments({ repo: deploymentsRepo(dbHandle), fleet, hub: controlPlane.agents, secrets, fit: fit.placement, cluster });
  const calibration = fit.recordCalibrations(deployments, () => cluster.isLeader());
  const gateway = new Gateway({
    config, repo: gatewayRepo(dbHandle), isAdminToken: (t) => auth.checkAdminToken(t), deployments, fleet,
    logBodies: env.SWITCHYARD_GATEWAY_LOG_BODIES === undefined ? undefined : env.SWITCHYARD_GATEWAY_LOG_BODIES === "1",
    metricsToken: env.SWITCHYARD_METRICS_TOKEN ?? null, dashboardSession: dashboardSessionCheck(requestAuth),
    isLeader: () => cluster.isLeader(),
  });
  controlPlane.attach({ deployments, gateway, history });
  const alerts = await createAlerts({
    repo: alertsRepo(dbHandle), secretBox: box, config: config.alerts,
    sources: { fleet, deployments, gateway: controlPlane.alertsGateway(gateway) },
    // With several servers, one evaluates and notifies: each alert is sent once.
    isLeader: () => cluster.isLeader(),
    bases: {
      discord: env.SWITCHYARD_ALERTS_TEST_DISCORD_URL?.replace(/\/+$/, "") ?? DEFAULT_BASES.discord,
      slack: env.SWITCHYARD_ALERTS_TEST_SLACK_URL?.replace(/\/+$/, "") ?? DEFAULT_BASES.slack,
    },
    retryBaseMs: env.SWITCHYARD_ALERTS_TEST_RETRY_MS,
  });
  let localUrl = "";
  const benchmarks = await createBenchmarkModule({ db: dbHandle, gateway, deployments, fleet, gatewayUrl: () => localUrl, fingerprint: tls?.fingerprint ?? null,
    peers: controlPlane.benchmarkPeers });
  let ready = false;
  const api = createApi({ gateway: createGatewayApi(gateway), alerts: alerts.service,
    auth, sessions, clientAddress, fleet, history, isReady: () => ready, deployments: { core: deployments, secrets }, fit: fit.service, benchmarks,
    hubStats: () => ({ ...agentHub.stats(), liveClients: liveHub.clientCount(), cluster: controlPlane.stats() }),
    identity, agents: controlPlane.agents,
    tlsFingerprint: () => tls?.fingerprint ?? null,
    tlsCurlPin: () => tls?.curlPin ?? null,
  });
  const pages = await loadPages();
  const server = createHttpServer({ api, requestAuth, agentHub, liveHub, pages, gateway: createGatewayHandler(gateway), agentDist: createAgentDist({ tls }), tls });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(env.PORT, env.HOST, () => resolve());
  });
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : env.PORT;
  const scheme = tls ? "https" : "http";
  localUrl = `${scheme}://${loopbackHost(env.HOST)}:${port}`;
  await gateway.start();
  await alerts.start();
  deployments.start();
  ready = true;

  const flushTimer = setInterval(() => void history.flush(), env.SWITCHYARD_HISTORY_FLUSH_TEST_MS ?? 2000);
  const pruneTimer = setInterval(() => {
    if (cluster.isLeader()) void history.prune().catch((err) => log.error({ err }, "prune failed"));
  }, 60_000);

  const specs: AgentSpec[] = [];
  if (env.SWITCHYARD_LOCAL_AGENT === "1") specs.push({ name: os.hostname(), serverUrl: localUrl, fingerprint: tls?.fingerprint });
  if (demo) specs.push(...demoSpecs(localUrl, tls?.fingerprint));
  const agents = startAgents(await provisionAgents(specs, { identity, dataDir: env.dataDir }));

  log.info({ port, demo, dataDir: env.dataDir, database: dbHandle.dialect, tls: tls ? { source: tls.source, fingerprint: tls.fingerprint } : null }, "switchyard is up");
  process.stdout.write(`\n  Switchyard dashboard: ${scheme}://localhost:${port}\n`);
  if (tls) {
    process.stdout.write(`  TLS certificate (${tls.certPath}) fingerprint: ${tls.fingerprint}\n`);
    process.stdout.write(`    agents: --fingerprint ${tls.fingerprint}; CLI: SWITCHYARD_FINGERPRINT=${tls.fingerprint}; curl: --pinnedpubkey ${tls.curlPin}\n`);
  }
  if (auth.generatedAdminToken) {
    process.stdout.write(`  Admin token (shown once; set SWITCHYARD_ADMIN_TOKEN to choose your own): ${auth.generatedAdminToken}\n`);
  } else if (!env.SWITCHYARD_ADMIN_TOKEN) {
    process.stdout.write("  Sign in with the admin token printed at the first start (lost it? start with SWITCHYARD_ADMIN_TOKEN=<a new one>)\n");
  }
  process.stdout.write("\n");

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, "shutting down");
    clearInterval(flushTimer);
    clearInterval(pruneTimer);
    await agents.stop();
    await benchmarks.close();
    await agentHub.close();
    await liveHub.close();
    // Requests still in flight finish (and record themselves) before the gateway's last flush.
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await deployments.close();
    calibration.close();
    await alerts.stop();
    await gateway.stop();
    await history.close();
    await fleet.flush();
    await controlPlane.close();
    await dbHandle.close();
    await flushLogs();
    process.exit(0);
  };
  process.on("SIGINT", () => void shutdown("SIGINT"));
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
}

/** Where this server reaches itself: a wildcard listen address is reachable on loopback. */
function loopbackHost(host: string): string {
  if (host === "0.0.0.0" || host === "" || host === "::") return "127.0.0.1";
  return host.includes(":") ? `[${host}]` : host;
}

main(process.argv.slice(2)).catch((err) => {
  if (err instanceof ConfigError) {
    process.stderr.write(`${err.message}\n`);
    process.exit(2);
  }
  if ((err as NodeJS.ErrnoException).code === "EADDRINUSE") {
    process.stderr.write(`Port in use: another program listens there. Set PORT to a free port.\n`);
    process.exit(1);
  }
  log.fatal({ err }, "server failed to start");
  process.exit(1);
});
