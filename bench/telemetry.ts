/**
 * `npm run bench:telemetry` — measures the telemetry path against references in the same run:
 *  1. the agent's own CPU per sample with 8 GPUs, beside the stand-in nvidia-smi's own CPU;
 *  2. server ingest of 100 simulated agents × 8 GPUs at 1 Hz (CPU share of one core, memory),
 *     beside a bare `ws` + JSON.parse sink receiving the same traffic;
 *  3. sample → browser latency (p50/p95) on /ws/live during that load.
 * Targets (issue 2): agent ≤ 1 % of a core; ingest ≤ 25 % of a core; p95 ≤ 250 ms.
 */
import { spawn } from "node:child_process";
import path from "node:path";
import WebSocket from "ws";
import type { LiveMessage } from "../protocol/live";
import { ROOT, freePort, startAgent, startServer, waitFor } from "../tests/helpers/processes";
import { childPids, cpuPct, percentile, readProc } from "./proc-stats";
import { dashboardSocket } from "./live-socket";
import { simulatedAgents } from "./sim-agents";

const SECONDS = Number(process.env.BENCH_SECONDS ?? 20);
const AGENTS = Number(process.env.BENCH_AGENTS ?? 100);
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

async function measureIngest(target: "server" | "baseline") {
  let url: string;
  let pid: number;
  let stop: () => Promise<void>;
  if (target === "server") {
    const server = await startServer();
    url = server.url;
    pid = server.proc.child.pid!;
    stop = () => server.stop();
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
  if (target === "server") {
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
    const p0 = readProc(pid);
    await sleep(SECONDS * 1000);
    const p1 = readProc(pid);
    return { cpuPct: cpuPct(p0, p1), rss: p1.rssBytes, latencies: [...latencies] };
  } finally {
    sim.stop();
    live?.terminate();
    await stop();
  }
}

async function main() {
  process.stdout.write(`bench:telemetry — ${SECONDS} s windows, ${AGENTS} simulated agents × ${GPUS} GPUs\n\n`);

  const agent = await measureAgent();
  process.stdout.write("1. Agent with 8 GPUs at 1 Hz (stand-in nvidia-smi replaying RTX 4080 SUPER captures)\n");
  process.stdout.write(`   agent:     ${fmt(agent.agentPct)} % of one core, ${fmt(agent.agentMsPerSample)} ms CPU per sample, RSS ${fmt(agent.agentRss / 2 ** 20, 0)} MiB   (target ≤ 1 %)\n`);
  process.stdout.write(`   stand-in:  ${fmt(agent.standinPct)} % of one core (reference; the real nvidia-smi loop is a C program)\n`);
  process.stdout.write(`   ratio agent / stand-in: ${fmt(agent.agentPct / agent.standinPct)}\n\n`);

  const base = await measureIngest("baseline");
  const srv = await measureIngest("server");
  const samplesPerS = AGENTS * GPUS;
  process.stdout.write(`2. Ingest of ${samplesPerS} GPU samples/s (${AGENTS} agents × ${GPUS} GPUs at 1 Hz)\n`);
  process.stdout.write(`   server:    ${fmt(srv.cpuPct)} % of one core, RSS ${fmt(srv.rss / 2 ** 20, 0)} MiB   (target ≤ 25 %; validates, stores 1 s + 1 min history, fans out)\n`);
  process.stdout.write(`   baseline:  ${fmt(base.cpuPct)} % of one core, RSS ${fmt(base.rss / 2 ** 20, 0)} MiB   (bare ws + JSON.parse)\n`);
  process.stdout.write(`   ratio server / baseline: ${fmt(srv.cpuPct / base.cpuPct)}\n\n`);

  process.stdout.write(`3. Sample → browser (/ws/live) during that load, ${srv.latencies.length} updates\n`);
  process.stdout.write(`   p50 ${fmt(percentile(srv.latencies, 50), 1)} ms, p95 ${fmt(percentile(srv.latencies, 95), 1)} ms, max ${fmt(Math.max(...srv.latencies), 1)} ms   (target p95 ≤ 250 ms)\n`);
  process.exit(0);
}

void main();
