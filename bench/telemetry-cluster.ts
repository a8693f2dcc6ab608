/**
 * bench:telemetry, part 6: two servers on one PostgreSQL database, the simulated agents all on
 * server A, a signed-in dashboard on A and one on B. Sample → browser latency on A is the
 * single-server path (the server that holds the agents); on B every sample has gone through
 * PostgreSQL (NOTIFY) first. Both are measured in the same window, under the same load, with the
 * CPU of each server and of PostgreSQL.
 */
import type { LiveMessage } from "../protocol/live";
import { clusterServer } from "../tests/helpers/cluster-servers";
import { waitFor } from "../tests/helpers/processes";
import { dashboardSocket } from "./live-socket";
import { benchPostgres } from "./postgres";
import { cpuPct, readProc } from "./proc-stats";
import { simulatedAgents } from "./sim-agents";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A dashboard's /ws/live on `url` that records every sample's age when it arrives. */
async function dashboard(url: string) {
  const ws = await dashboardSocket(url);
  const latencies: number[] = [];
  const nodes = new Set<string>();
  ws.on("message", (d) => {
    const msg = JSON.parse(d.toString()) as LiveMessage;
    if (msg.type === "node" && msg.sampleTs) {
      latencies.push(Date.now() - msg.sampleTs);
      nodes.add(msg.node.name);
    }
  });
  await new Promise((r) => ws.once("open", r));
  return { latencies, nodes, close: () => ws.terminate() };
}

export async function measureTwoServers(agents: number, gpus: number, seconds: number) {
  const db = await benchPostgres();
  const a = await clusterServer(db.url, { env: { LOG_LEVEL: "warn" } });
  const b = await clusterServer(db.url, { env: { LOG_LEVEL: "warn" } });
  const onA = await dashboard(a.url);
  const onB = await dashboard(b.url);
  const sim = simulatedAgents(a.url, { count: agents, gpusPerNode: gpus });
  try {
    await waitFor("every agent live on B", () => onB.nodes.size >= agents, 60_000, 200);
    await sleep(3000);
    onA.latencies.length = 0;
    onB.latencies.length = 0;
    const [a0, b0, d0] = [readProc(a.proc.child.pid!), readProc(b.proc.child.pid!), db.cpuS()];
    await sleep(seconds * 1000);
    const [a1, b1, d1] = [readProc(a.proc.child.pid!), readProc(b.proc.child.pid!), db.cpuS()];
    return {
      onA: [...onA.latencies], onB: [...onB.latencies],
      cpuA: cpuPct(a0, a1), cpuB: cpuPct(b0, b1), cpuDb: ((d1 - d0) / ((a1.at - a0.at) / 1000)) * 100,
    };
  } finally {
    sim.stop();
    onA.close();
    onB.close();
    await Promise.all([a.stop(), b.stop()]);
    db.remove();
  }
}
