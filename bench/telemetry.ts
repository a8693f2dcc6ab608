/**
 * `npm run bench:telemetry` — measures the telemetry path against references in the same run:
 *  1. the agent's own CPU per sample with 8 GPUs, beside the stand-in nvidia-smi's own CPU;
 *  2. server ingest of 100 simulated agents × 8 GPUs at 1 Hz (CPU share of one core, memory),
 *     beside a bare `ws` + JSON.parse sink receiving the same traffic;
 *  3. sample → browser latency (p50/p95) on /ws/live during that load;
 *  4. the same ingest with alert rules of every kind evaluated every second (issue 12), beside the
 *     server without rules in the same run (on SQLite);
 *  5. the agent handshake: connect → first sample accepted (seen on /ws/live), for a node's first
 *     contact (it enrolls with the token) and for a reconnect (it presents its credential).
 * `--db sqlite|postgres|both` (default: both where PostgreSQL is installed) runs 2 and 3 with the
 * server's state in each; PostgreSQL is a throwaway cluster started here, and its CPU (all its
 * processes, from /proc) is reported beside the server's. Write latency: a probe client writes one
 * 8-GPU sample batch every 250 ms through the same repository, next to the server's own writes.
 * Targets: agent ≤ 1 % of a core; ingest ≤ 25 % of a core; p95 ≤ 250 ms; rules ≤ +10 % server CPU;
 * the hub's per-message checks (issue 8) ≤ +5 % server CPU at 100 × 8.
 *  6. two servers on one PostgreSQL database (several servers), the agents on A: sample → browser on
 *     A (the holder) beside B (every sample through PostgreSQL), same window; CPU of A, B and PostgreSQL.
 *     Target: B's p95 within 250 ms of one server's.
 * BENCH_ONLY=ingest|handshake runs one part on SQLite (for before/after runs on the same machine);
 * BENCH_ONLY=db runs 2, 3 and 6 (the database figures), BENCH_ONLY=cluster runs 6.
 */
import { spawn } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import WebSocket from "ws";
import type { LiveMessage } from "../protocol/live";
import { openDatabase, type DatabaseTarget, type Dialect } from "../server/db/client";
import { samplesRepo } from "../server/db/repos/samples-repo";
import { postgresBinDir } from "../tests/helpers/postgres-cluster";
import { benchPostgres } from "./postgres";
import { measureTwoServers } from "./telemetry-cluster";
import { AGENT_TOKEN, ROOT, freePort, startAgent, startServer, waitFor } from "../tests/helpers/processes";
import { childPids, cpuPct, percentile, readProc } from "./proc-stats";
import { ruleEvaluationMs } from "./alert-rules";
import { dashboardSocket } from "./live-socket";
import { agentHandshake, busySnapshot, simulatedAgents } from "./sim-agents";

const SECONDS = Number(process.env.BENCH_SECONDS ?? 20);
const AGENTS = Number(process.env.BENCH_AGENTS ?? 100);
const HANDSHAKES = Number(process.env.BENCH_HANDSHAKES ?? 40);
const ONLY = process.env.BENCH_ONLY ?? "";
const GPUS = 8;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const fmt = (n: number, d = 2) => n.toFixed(d);

async function measureAgent() {
  const server = await startServer();
  const agent = startAgent({ server: server.url, name: "bench-8gpu", gpus: Array(GPUS).fill("rtx-4080-super").join(",") });
  try {
    await waitFor("agent online with 8 GPUs", async () => {
      const nodes = (await (await server.api("/api/nodes")).json()) as Array<{ name: string; online: boolean; gpus: unknown[] }>;
      return nodes.find((n) => n.name === "bench-8gpu" && n.online && n.gpus.length === GPUS);
    }, 60_000);
    await sleep(3000);
    const agentPid = agent.child.pid!;
    // The long-running loop is the agent's child that stays; compute-apps spawns come and go.
    const loopPid = childPids(agentPid)[0];
    const a0 = readProc(agentPid);
    const s0 = loopPid ? readProc(loopPid) : null;
    await sleep(SECONDS * 1000);
    const a1 = readProc(agentPid);
    const s1 = loopPid ? readProc(loopPid) : null;
    const agentPct = cpuPct(a0, a1);
    const standinPct = s0 && s1 ? cpuPct(s0, s1) : NaN;
    return { agentPct, agentMsPerSample: ((a1.cpuS - a0.cpuS) * 1000) / SECONDS, agentRss: a1.rssBytes, standinPct };
  } finally {
    await agent.stop();
    await server.stop();
  }
}

/** Rules of every kind, on thresholds the simulated GPUs cross now and then, notifying a local sink. */
const alertsYaml = (sinkUrl: string) => `alerts:
  channels:
    - {name: hook, url: "${sinkUrl}/hook"}
  rules:
    - {when: node-offline, for: 30s, notify: [hook]}
    - {when: gpu-temperature, above: 85, for: 60s, notify: [hook]}
    - {when: gpu-memory, above: 80, for: 10s, notify: [hook]}
    - {when: gpu-memory, name: gpu-memory-full, above: 95, for: 1m, nodes: ["sim-0*"], notify: [hook]}
    - {when: disk-usage, above: 90, notify: [hook]}
    - {when: deployment-failed, notify: [hook]}
    - {when: backend-down, notify: [hook]}
    - {when: failover, notify: [hook]}
`;

function alertsConfig(sinkUrl: string): string {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "bench-alerts-")), "switchyard.yaml");
  fs.writeFileSync(file, alertsYaml(sinkUrl));
  return file;
}

/** Write latency as a client sees it while the server ingests: 8 GPU rows every 250 ms. */
function writeProbe(target: DatabaseTarget) {
  const latencies: number[] = [];
  let stopped = false;
  const done = (async () => {
    const handle = await openDatabase(target, { poolSize: 1 });
    const repo = samplesRepo(handle);
    while (!stopped) {
      const ts = Date.now();
      const t0 = performance.now();
      await repo.insertGpu(Array.from({ length: GPUS }, (_, i) => ({ nodeId: "probe", gpuUuid: `GPU-probe-${i}`, resolutionS: 1, ts, utilGpuPct: 1, memUsedMiB: 1, tempC: 1, powerW: 1 })));
      latencies.push(performance.now() - t0);
      await sleep(250);
    }
    await handle.close();
  })();
  return { latencies, reset: () => (latencies.length = 0), stop: async () => { stopped = true; await done; } };
}

async function measureIngest(target: Dialect | "baseline", opts: { alerts?: boolean } = {}) {
  let url: string;
  let pid: number;
  let stop: () => Promise<void>;
  let database: { cpuS(): number; remove(): void } | null = null;
  let probe: ReturnType<typeof writeProbe> | null = null;
  if (target !== "baseline") {
    const pgBench = target === "postgres" ? await benchPostgres() : null;
    database = pgBench;
    const sink = http.createServer((req, res) => void req.resume().on("end", () => res.writeHead(200).end()));
    await new Promise<void>((r) => sink.listen(0, "127.0.0.1", () => r()));
    const sinkUrl = `http://127.0.0.1:${(sink.address() as { port: number }).port}`;
    const env: Record<string, string> = {};
    if (pgBench) env.SWITCHYARD_DATABASE_URL = pgBench.url;
    if (opts.alerts) env.SWITCHYARD_CONFIG = alertsConfig(sinkUrl);
    const server = await startServer({ env });
    url = server.url;
    pid = server.proc.child.pid!;
    probe = writeProbe({ dataDir: server.dataDir, databaseUrl: pgBench?.url });
    stop = async () => {
      await probe?.stop();
      await server.stop();
      pgBench?.remove();
      sink.close();
    };
  } else {
    const port = await freePort();
    const child = spawn(process.execPath, ["--import", "tsx", path.join(ROOT, "bench", "baseline-sink.ts"), String(port)], { cwd: ROOT, stdio: ["ignore", "pipe", "inherit"] });
    url = `http://127.0.0.1:${port}`;
    pid = child.pid!;
    await waitFor("baseline sink", () => new Promise<boolean>((resolve) => {
      const ws = new WebSocket(`ws://127.0.0.1:${port}`);
      ws.on("open", () => { ws.close(); resolve(true); });
      ws.on("error", () => resolve(false));
    }), 20_000, 200);
    stop = async () => { child.kill("SIGTERM"); await new Promise((r) => child.once("exit", r)); };
  }

  const latencies: number[] = [];
  let live: WebSocket | null = null;
  if (target !== "baseline") {
    live = await dashboardSocket(url);
    live.on("message", (d) => {
      const msg = JSON.parse(d.toString()) as LiveMessage;
      if (msg.type === "node" && msg.sampleTs) latencies.push(Date.now() - msg.sampleTs);
    });
  }
  const sim = simulatedAgents(url, { count: AGENTS, gpusPerNode: GPUS });
  try {
    await sleep(5000); // connect, hello, first samples
    latencies.length = 0;
    probe?.reset();
    const p0 = readProc(pid);
    const d0 = database?.cpuS() ?? 0;
    await sleep(SECONDS * 1000);
    const p1 = readProc(pid);
    const d1 = database?.cpuS() ?? 0;
    return {
      cpuPct: cpuPct(p0, p1), rss: p1.rssBytes, latencies: [...latencies],
      dbCpuPct: database ? ((d1 - d0) / ((p1.at - p0.at) / 1000)) * 100 : NaN,
      writes: [...(probe?.latencies ?? [])],
    };
  } finally {
    sim.stop();
    live?.terminate();
    await stop();
  }
}

/** A signed-in /ws/live that resolves when `name`'s sample `ts` is shown (accepted and fanned out). */
async function liveWatcher(url: string) {
  const live = await dashboardSocket(url);
  const waiting = new Map<string, () => void>();
  live.on("message", (d) => {
    const msg = JSON.parse(d.toString()) as LiveMessage;
    if (msg.type === "node" && msg.sampleTs) waiting.get(`${msg.node.name}@${msg.sampleTs}`)?.();
  });
  await new Promise((r) => live.once("open", r));
  return {
    seen: (name: string, ts: number) => new Promise<void>((resolve) => waiting.set(`${name}@${ts}`, resolve)),
    close: () => live.terminate(),
  };
}

/** connect → hello → welcome → one sample → shown on /ws/live; returns ms and the credential the welcome carried. */
async function handshake(url: string, name: string, secret: string, watch: Awaited<ReturnType<typeof liveWatcher>>) {
  const ts = Date.now();
  const shown = watch.seen(name, ts);
  const t0 = performance.now();
  const { ws, credential } = await agentHandshake(url, name, secret);
  ws.send(JSON.stringify({ type: "telemetry", v: 1, samples: [{ ts, snapshot: busySnapshot(name, GPUS) }] }));
  await shown;
  const ms = performance.now() - t0;
  ws.close();
  await new Promise((r) => ws.once("close", r));
  return { ms, credential };
}

async function measureHandshakes() {
  const server = await startServer();
  const watch = await liveWatcher(server.url);
  try {
    const first: number[] = [];
    const again: number[] = [];
    const credentials = new Map<string, string>();
    for (let i = 0; i < HANDSHAKES; i++) {
      const name = `hs-${i}`;
      const r = await handshake(server.url, name, AGENT_TOKEN, watch);
      first.push(r.ms);
      // Against a server without credentials the agent presents the token again.
      credentials.set(name, r.credential ?? AGENT_TOKEN);
    }
    for (let i = 0; i < HANDSHAKES; i++) {
      const name = `hs-${i}`;
      again.push((await handshake(server.url, name, credentials.get(name)!, watch)).ms);
    }
    return { first, again, issued: [...credentials.values()].filter((c) => c !== AGENT_TOKEN).length };
  } finally {
    watch.close();
    await server.stop();
  }
}

function reportHandshakes(h: Awaited<ReturnType<typeof measureHandshakes>>) {
  const line = (xs: number[]) => `p50 ${fmt(percentile(xs, 50), 1)} ms, p95 ${fmt(percentile(xs, 95), 1)} ms`;
  process.stdout.write(`5. Agent handshake, connect → first sample accepted (${HANDSHAKES} nodes, one at a time)\n`);
  process.stdout.write(`   first contact (enrolls with the token): ${line(h.first)}\n`);
  process.stdout.write(`   reconnect (${h.issued > 0 ? "presents its credential" : "presents the token again"}):  ${line(h.again)}\n\n`);
}

/** Part 6; `single` is part 3's PostgreSQL run (one server), when it ran. */
async function reportTwoServers(single?: number[]) {
  const r = await measureTwoServers(AGENTS, GPUS, SECONDS);
  const p = (xs: number[], q: number) => fmt(percentile(xs, q), 1);
  process.stdout.write(`6. Two servers on one PostgreSQL database, the ${AGENTS} agents on A, a dashboard on each\n`);
  process.stdout.write(`   sample → browser on A (holds the agents):     p50 ${p(r.onA, 50)} ms, p95 ${p(r.onA, 95)} ms (${r.onA.length} updates)\n`);
  process.stdout.write(`   sample → browser on B (through PostgreSQL):   p50 ${p(r.onB, 50)} ms, p95 ${p(r.onB, 95)} ms (${r.onB.length} updates)\n`);
  if (single) process.stdout.write(`   one server alone (3. above, PostgreSQL):      p50 ${p(single, 50)} ms, p95 ${p(single, 95)} ms\n`);
  const diff = percentile(r.onB, 95) - percentile(single ?? r.onA, 95);
  process.stdout.write(`   B's p95 − ${single ? "one server's" : "A's"} p95: ${fmt(diff, 1)} ms (target ≤ 250); B − A: ${fmt(percentile(r.onB, 95) - percentile(r.onA, 95), 1)} ms\n`);
  process.stdout.write(`   CPU: A ${fmt(r.cpuA)} %, B ${fmt(r.cpuB)} % (applies the views it is sent), PostgreSQL ${fmt(r.cpuDb)} % of one core\n\n`);
}

async function main() {
  const { values } = parseArgs({ options: { db: { type: "string" } } });
  const db = values.db ?? (postgresBinDir() ? "both" : "sqlite");
  if (!["sqlite", "postgres", "both"].includes(db)) throw new Error(`--db must be sqlite, postgres or both (not ${db})`);
  if (db !== "sqlite" && !postgresBinDir()) throw new Error("--db postgres needs PostgreSQL installed: bash scripts/test-deps/postgres.sh");
  const dialects: Dialect[] = db === "both" ? ["sqlite", "postgres"] : [db as Dialect];
  process.stdout.write(`bench:telemetry — ${SECONDS} s windows, ${AGENTS} simulated agents × ${GPUS} GPUs, database: ${dialects.join(" and ")}\n\n`);
  if (ONLY === "handshake") {
    reportHandshakes(await measureHandshakes());
    process.exit(0);
  }
  if (ONLY === "ingest") {
    const srv = await measureIngest("sqlite");
    process.stdout.write(`2. Ingest of ${AGENTS * GPUS} GPU samples/s: server ${fmt(srv.cpuPct)} % of one core, RSS ${fmt(srv.rss / 2 ** 20, 0)} MiB\n`);
    process.exit(0);
  }
  if (ONLY === "cluster") {
    await reportTwoServers();
    process.exit(0);
  }

  if (ONLY !== "db") {
    const agent = await measureAgent();
    process.stdout.write("1. Agent with 8 GPUs at 1 Hz (stand-in nvidia-smi replaying RTX 4080 SUPER captures)\n");
    process.stdout.write(`   agent:     ${fmt(agent.agentPct)} % of one core, ${fmt(agent.agentMsPerSample)} ms CPU per sample, RSS ${fmt(agent.agentRss / 2 ** 20, 0)} MiB   (target ≤ 1 %)\n`);
    process.stdout.write(`   stand-in:  ${fmt(agent.standinPct)} % of one core (reference; the real nvidia-smi loop is a C program)\n`);
    process.stdout.write(`   ratio agent / stand-in: ${fmt(agent.agentPct / agent.standinPct)}\n\n`);
  }

  const base = await measureIngest("baseline");
  const runs: Array<[Dialect, Awaited<ReturnType<typeof measureIngest>>]> = [];
  for (const dialect of dialects) runs.push([dialect, await measureIngest(dialect)]);
  const samplesPerS = AGENTS * GPUS;
  process.stdout.write(`2. Ingest of ${samplesPerS} GPU samples/s (${AGENTS} agents × ${GPUS} GPUs at 1 Hz)\n`);
  process.stdout.write(`   baseline:  ${fmt(base.cpuPct)} % of one core, RSS ${fmt(base.rss / 2 ** 20, 0)} MiB   (bare ws + JSON.parse)\n`);
  for (const [dialect, srv] of runs) {
    process.stdout.write(`   server on ${dialect}:  ${fmt(srv.cpuPct)} % of one core, RSS ${fmt(srv.rss / 2 ** 20, 0)} MiB, ratio to baseline ${fmt(srv.cpuPct / base.cpuPct)}   (target ≤ 25 %; validates, stores 1 s + 1 min history, fans out)\n`);
    if (dialect === "postgres") process.stdout.write(`      PostgreSQL itself: ${fmt(srv.dbCpuPct)} % of one core (all its processes)\n`);
    process.stdout.write(`      probe write of ${GPUS} rows: p50 ${fmt(percentile(srv.writes, 50), 1)} ms, p95 ${fmt(percentile(srv.writes, 95), 1)} ms over ${srv.writes.length} writes\n`);
  }
  const [sqlite, postgres] = [runs.find(([d]) => d === "sqlite")?.[1], runs.find(([d]) => d === "postgres")?.[1]];
  if (sqlite && postgres) {
    process.stdout.write(`   PostgreSQL / SQLite: server CPU ${fmt(postgres.cpuPct / sqlite.cpuPct)}, server + database CPU ${fmt((postgres.cpuPct + postgres.dbCpuPct) / sqlite.cpuPct)}, write p95 ${fmt(percentile(postgres.writes, 95) / percentile(sqlite.writes, 95))}\n`);
  }
  process.stdout.write("\n");

  for (const [dialect, srv] of runs) {
    process.stdout.write(`3. Sample → browser (/ws/live) during that load on ${dialect}, ${srv.latencies.length} updates\n`);
    process.stdout.write(`   p50 ${fmt(percentile(srv.latencies, 50), 1)} ms, p95 ${fmt(percentile(srv.latencies, 95), 1)} ms, max ${fmt(Math.max(...srv.latencies), 1)} ms   (target p95 ≤ 250 ms)\n`);
  }
  process.stdout.write("\n");

  if (postgres) await reportTwoServers(postgres.latencies);
  if (ONLY === "db") process.exit(0);

  if (sqlite) {
    const srv = sqlite;
    const withRules = await measureIngest("sqlite", { alerts: true });
    process.stdout.write(`4. The same ingest with 8 alert rules of every kind evaluated every second\n`);
    process.stdout.write(`   with rules:    ${fmt(withRules.cpuPct)} % of one core, RSS ${fmt(withRules.rss / 2 ** 20, 0)} MiB\n`);
    process.stdout.write(`   without rules: ${fmt(srv.cpuPct)} % of one core (2. above, SQLite, same run)\n`);
    process.stdout.write(`   ratio with / without: ${fmt(withRules.cpuPct / srv.cpuPct)}   (target ≤ 1.10)\n`);
    const cost = ruleEvaluationMs(alertsYaml("http://127.0.0.1:9"), AGENTS, GPUS);
    process.stdout.write(`   in process: ${fmt(cost.perTickMs, 3)} ms per evaluation of all rules (+ ${fmt(cost.inputsMs, 3)} ms building that fleet's inputs) = ${fmt(cost.perTickMs / 10, 3)} % of one core at 1 Hz\n`);
  }

  reportHandshakes(await measureHandshakes());
  process.exit(0);
}

void main();
