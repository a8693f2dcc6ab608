/**
 * `npm run bench:cluster` — commands to agents across the servers of one control plane: two servers
 * on one (throwaway) PostgreSQL database, a simulated agent connected to A that answers at once, and
 * the same command asked on A (the agent's own server: the reference) and on B (through the relay,
 * over LISTEN/NOTIFY and back), interleaved, BENCH_COUNT times each:
 *  1. a logs tail (request → answer, nothing written);
 *  2. a deploy and its stop, as the CLI asks them (the record written, sent to the other server,
 *     the agent's answer folded in): the round trip of the deploy request.
 * Prints p50 and p95 of each and what the relay adds.
 */
import { benchPostgres } from "./postgres";
import { percentile } from "./proc-stats";
import { clusterServer } from "../tests/helpers/cluster-servers";
import { AGENT_TOKEN, waitFor, type TestServer } from "../tests/helpers/processes";
import { enrolledAgent, honestDeployer } from "../tests/helpers/raw-agent";

const COUNT = Number(process.env.BENCH_COUNT ?? 200);
const fmt = (n: number, d = 1) => n.toFixed(d);
const line = (xs: number[]) => `p50 ${fmt(percentile(xs, 50))} ms, p95 ${fmt(percentile(xs, 95))} ms`;

async function timed(fn: () => Promise<Response>, expectStatus: number): Promise<number> {
  const t0 = performance.now();
  const res = await fn();
  const ms = performance.now() - t0;
  if (res.status !== expectStatus) throw new Error(`HTTP ${res.status}: ${await res.text()}`);
  await res.arrayBuffer();
  return ms;
}

async function main() {
  const db = await benchPostgres();
  const a = await clusterServer(db.url, { env: { LOG_LEVEL: "warn" } });
  const b = await clusterServer(db.url, { env: { LOG_LEVEL: "warn" } });
  const { agent } = await enrolledAgent(`${a.url.replace("http", "ws")}/ws/agent`, "bench-node", AGENT_TOKEN);
  honestDeployer(agent);
  try {
    await waitFor("the node on B", async () => ((await (await b.api("/api/nodes/bench-node")).json()) as { online?: boolean }).online, 20_000);
    const json = { "content-type": "application/json" };
    const deploy = (s: TestServer, name: string) => s.api("/api/deployments", {
      method: "POST", headers: json, body: JSON.stringify({ engine: "llamacpp", model: "/models/tiny.gguf", node: "bench-node", gpus: "none", name }),
    });
    const stop = (s: TestServer, name: string) => s.api(`/api/deployments/${name}`, { method: "DELETE" });
    expect201(await deploy(a, "tail-target"));
    await waitFor("the deployment on B", async () => (await b.api("/api/deployments/tail-target")).status === 200, 10_000);

    // Warm-up: JIT, pools, the first relayed request.
    for (let i = 0; i < 20; i++) for (const s of [a, b]) await timed(() => s.api("/api/deployments/tail-target/logs?tail=10"), 200);

    const tail = { a: [] as number[], b: [] as number[] };
    for (let i = 0; i < COUNT; i++) {
      tail.a.push(await timed(() => a.api("/api/deployments/tail-target/logs?tail=10"), 200));
      tail.b.push(await timed(() => b.api("/api/deployments/tail-target/logs?tail=10"), 200));
    }
    const cycles = Math.max(10, Math.round(COUNT / 4));
    const dep = { a: [] as number[], b: [] as number[] };
    for (let i = 0; i < cycles; i++) {
      for (const [key, s] of [["a", a], ["b", b]] as const) {
        const name = `d-${key}-${i}`;
        dep[key].push(await timed(() => deploy(s, name), 201));
        await timed(() => stop(s, name), 200);
      }
    }

    const out = (s: string) => void process.stdout.write(`${s}\n`);
    out(`bench:cluster — two servers on one PostgreSQL database, a simulated agent on A answering at once`);
    out(`\n1. Logs tail, ${COUNT} requests each`);
    out(`   asked on A (the agent's server):   ${line(tail.a)}`);
    out(`   asked on B (relayed through PostgreSQL): ${line(tail.b)}`);
    out(`   the relay adds ${fmt(percentile(tail.b, 50) - percentile(tail.a, 50))} ms at p50 (${fmt(percentile(tail.b, 50) / percentile(tail.a, 50), 2)}×)`);
    out(`\n2. Deploy request (record written and sent to the other server, agent's answer folded in), ${cycles} each`);
    out(`   asked on A: ${line(dep.a)}`);
    out(`   asked on B: ${line(dep.b)}`);
    out(`   cross-server deploy round trip p50 ${fmt(percentile(dep.b, 50))} ms; the relay adds ${fmt(percentile(dep.b, 50) - percentile(dep.a, 50))} ms at p50`);
  } finally {
    agent.close();
    await Promise.all([a.stop(), b.stop()]);
    db.remove();
  }
  process.exit(0);
}

function expect201(res: Response) {
  if (res.status !== 201) throw new Error(`deploy answered HTTP ${res.status}`);
}

main().catch((err) => {
  process.stderr.write(`bench:cluster failed: ${(err as Error).stack ?? err}\n`);
  process.exit(1);
});
