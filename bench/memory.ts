/**
 * `npm run bench:memory` — the server's memory at idle, as `npm start` runs it with the gateway
 * configured (the local agent is a process of its own and not counted), beside references in the
 * same run: Node's floor (an empty process) and the Next.js dashboard served alone. For each: RSS
 * after BENCH_MEMORY_IDLE_S (default 15) of idle, again after one visit of every page, and after a
 * full GC (the steadiest figure); the V8 heap before and after that GC; CommonJS modules loaded.
 * BENCH_MEMORY_BASELINE=DIR measures the server of another checkout too (e.g. main, for a
 * before/after); BENCH_MEMORY_SNAPSHOT=1 writes heap snapshots next to the probe files.
 */
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { ADMIN_TOKEN, AGENT_TOKEN, ROOT, freePort, waitFor } from "../tests/helpers/processes";
import { summarizeHeap, type HeapSummary } from "./memory/heap-summary";
import { readProc } from "./proc-stats";

const IDLE_S = Number(process.env.BENCH_MEMORY_IDLE_S ?? 15);
const BASELINE = process.env.BENCH_MEMORY_BASELINE;
const PAGES = ["/login", "/", "/deployments", "/fit", "/routes", "/keys", "/nodes/none"];
const MiB = 2 ** 20;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const GATEWAY_CONFIG = `
apiKeys:
  - name: laptop
    key: sk-bench-memory-1
backends:
  - name: cloud
    url: http://127.0.0.1:9
    api: anthropic
    apiKey: sk-ant-bench
  - name: box2
    url: http://127.0.0.1:10
    api: openai
routes:
  - model: claude-sonnet-4-5
    targets: [cloud/claude-sonnet-4-5, box2/glm-4.5-air]
`;

interface Probe {
  before: NodeJS.MemoryUsage;
  after: NodeJS.MemoryUsage;
  cjsModules: number;
  byPackage: Record<string, number>;
}

interface Measured {
  label: string;
  rssIdle: number;
  rssVisited: number;
  probe: Probe;
  heap: HeapSummary | null;
}

async function measure(label: string, args: string[], cwd: string, env: Record<string, string>, serves: boolean): Promise<Measured> {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "bench-memory-"));
  const port = await freePort();
  const probeOut = path.join(work, "probe.json");
  const child: ChildProcess = spawn(process.execPath, ["--expose-gc", "--import", path.join(ROOT, "bench", "memory", "probe.mjs"), ...args.map((a) => a.replace("$PORT", String(port)))], {
    cwd,
    env: {
      ...process.env, PORT: String(port), HOST: "127.0.0.1", SWITCHYARD_DATA: path.join(work, "data"), SWITCHYARD_ADMIN_TOKEN: ADMIN_TOKEN,
      SWITCHYARD_AGENT_TOKEN: AGENT_TOKEN, SWITCHYARD_LOCAL_AGENT: "0", LOG_LEVEL: "warn", NEXT_TELEMETRY_DISABLED: "1",
      BENCH_MEMORY_PROBE_OUT: probeOut, ...env,
    },
    stdio: ["ignore", "ignore", "inherit"],
  });
  const url = `http://127.0.0.1:${port}`;
  try {
    if (serves) await waitFor(`${label} answering`, async () => (await fetch(`${url}/api/health`)).ok, 60_000, 200);
    await sleep(IDLE_S * 1000);
    const rssIdle = readProc(child.pid!).rssBytes;
    if (serves) {
      const cookie = (await fetch(`${url}/api/session`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ token: ADMIN_TOKEN }) })).headers.get("set-cookie")?.split(";")[0] ?? "";
      for (const p of PAGES) await (await fetch(`${url}${p}`, { headers: { cookie } })).arrayBuffer();
      await sleep(IDLE_S * 1000);
    }
    const rssVisited = readProc(child.pid!).rssBytes;
    child.kill("SIGUSR2");
    const probe = await waitFor(`${label} probe`, () => fs.existsSync(probeOut) && (JSON.parse(fs.readFileSync(probeOut, "utf8")) as Probe), 60_000, 200);
    return { label, rssIdle, rssVisited, probe, heap: process.env.BENCH_MEMORY_SNAPSHOT ? summarizeHeap(`${probeOut}.heapsnapshot`) : null };
  } finally {
    child.kill("SIGKILL");
    if (!process.env.BENCH_MEMORY_SNAPSHOT) fs.rmSync(work, { recursive: true, force: true });
    else process.stdout.write(`  (${label}: probe and heap snapshot in ${work})\n`);
  }
}

function serverArgs(dir: string): string[] {
  return ["--import", "tsx", path.join(dir, "server", "main.ts")];
}

async function main() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bench-memory-config-"));
  const config = path.join(dir, "switchyard.yaml");
  fs.writeFileSync(config, GATEWAY_CONFIG);
  const withConfig = { SWITCHYARD_CONFIG: config };
  process.stdout.write(`bench:memory — idle ${IDLE_S} s, then one visit of ${PAGES.length} pages and ${IDLE_S} s more\n\n`);

  const rows: Measured[] = [];
  rows.push(await measure("node (empty process)", ["-e", "setInterval(() => {}, 1e9)"], ROOT, {}, false));
  rows.push(await measure("Next.js dashboard alone", [path.join(ROOT, "bench", "memory", "next-only.mjs"), ROOT, "$PORT"], ROOT, {}, true));
  if (BASELINE) rows.push(await measure(`server of ${BASELINE}`, serverArgs(path.resolve(BASELINE)), path.resolve(BASELINE), withConfig, true));
  rows.push(await measure("server (this checkout)", serverArgs(ROOT), ROOT, withConfig, true));

  const mib = (n: number) => `${(n / MiB).toFixed(0)}`.padStart(5);
  process.stdout.write(`  ${"".padEnd(34)}  RSS idle  after visits  after a GC  heap used → after GC  external  CJS modules\n`);
  for (const r of rows) {
    const p = r.probe;
    process.stdout.write(`  ${r.label.padEnd(34)}  ${mib(r.rssIdle)} MiB  ${mib(r.rssVisited)} MiB   ${mib(p.after.rss)} MiB     ${mib(p.before.heapUsed)} → ${mib(p.after.heapUsed)} MiB     ${mib(p.after.external)} MiB  ${String(p.cjsModules).padStart(6)}\n`);
  }
  const server = rows.at(-1)!;
  const nextOnly = rows[1]!;
  const floor = rows[0]!;
  process.stdout.write(`\n  server / Next.js alone: ${(server.rssVisited / nextOnly.rssVisited).toFixed(2)}×   Switchyard's own share ≈ ${mib(server.rssVisited - nextOnly.rssVisited)} MiB, Next.js ≈ ${mib(nextOnly.rssVisited - floor.rssVisited)} MiB over Node's ${mib(floor.rssVisited)} MiB\n`);
  if (BASELINE) {
    const base = rows[2]!;
    process.stdout.write(`  this checkout / ${BASELINE}: ${(server.rssVisited / base.rssVisited).toFixed(2)}× (${mib(base.rssVisited)} → ${mib(server.rssVisited)} MiB after visits; idle ${mib(base.rssIdle)} → ${mib(server.rssIdle)} MiB)\n`);
  }
  for (const r of rows) {
    if (!r.heap) continue;
    const h = r.heap;
    process.stdout.write(`  heap snapshot of ${r.label}: ${mib(h.totalBytes)} MiB — script sources ${mib(h.scriptSourceBytes)}, source maps ${mib(h.sourceMapBytes)}; by type ${h.byType.slice(0, 5).map(([t, b]) => `${t} ${mib(b).trim()}`).join(", ")} MiB\n`);
  }
  const top = Object.entries(server.probe.byPackage).sort((a, b) => b[1] - a[1]).slice(0, 8);
  process.stdout.write(`  CommonJS modules of the server by package: ${top.map(([k, v]) => `${k} ${v}`).join(", ")}\n`);
  fs.rmSync(dir, { recursive: true, force: true });
  process.exit(0);
}

void main();
