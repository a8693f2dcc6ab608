/**
 * `npm run bench:gateway` — the gateway against nginx, in one run, on the same upstream: nginx
 * answering a canned completion from memory (one worker). The reference is nginx (one worker,
 * keep-alive upstream) proxying that upstream; the gateway is the real server process
 * (server/main.ts), request log and metrics included, proxying the same one.
 *  1. streams at scale: 500 concurrent streams relayed; the p99 delay the gateway adds to each chunk
 *     within 5 ms of nginx's, none failed or truncated, gateway RSS ≤ 400 MiB; CPU µs per chunk;
 *  2. throughput at 32 connections: pass-through ≥ 0.25× nginx's requests/s (aim 0.3×), Anthropic →
 *     OpenAI translated ≥ 0.2×; CPU µs per proxied request of each proxy (from /proc), GC µs per
 *     request of the gateway (from its /metrics); every other round runs in reverse order;
 *  3. added p50 latency at one connection over the upstream alone (≤ 150 µs), beside two floors
 *     measured in the same rounds: a Node TCP relay (no HTTP) and the minimal Node proxy;
 *  4. streaming time to first byte, over the upstream alone;
 *  5. memory over a soak of mixed plain and streamed traffic (flat: the RSS floor after warm-up grows ≤ 10 %).
 * Where PostgreSQL is installed, 2. also runs a second gateway whose state is in PostgreSQL (a
 * throwaway cluster): its throughput ≥ 0.95× the SQLite one's (keys and routes are in memory on
 * both; the request log and key usage are written in batches off the request path).
 * The reference and the gateway run interleaved, BENCH_ROUNDS times: a shared machine is noisy, so
 * each figure is the median over rounds with its spread, and each run says how busy the rest of the
 * machine was.
 *
 * Load comes from wrk; nginx and wrk are installed by scripts/test-deps/nginx.sh when missing.
 *   BENCH_SECONDS=10 (each throughput run; latency runs take half), BENCH_ROUNDS=3,
 *   BENCH_TTFB_COUNT=1000, BENCH_STREAMS=500, BENCH_SOAK_SECONDS=60 (0: no soak; 10 minutes: 600),
 *   BENCH_ONLY=throughput (2. only) or latency (3. only).
 */
import { execFileSync, spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { ROOT, startServer, type TestServer } from "../tests/helpers/processes";
import { openCpuWindow } from "./gateway/cpu";
import { cannedServer, proxyServer, startNginx } from "./gateway/nginx";
import { runStreams, type StreamsResult } from "./gateway/streams";
import { measureTtfb } from "./gateway/ttfb";
import { runWrk, wrkScript, type WrkResult } from "./gateway/wrk";
import { percentile, readProc } from "./proc-stats";
import { benchPostgres } from "./postgres";
import { postgresBinDir } from "../tests/helpers/postgres-cluster";

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const SOAK_S = Number(process.env.BENCH_SOAK_SECONDS ?? 60);
const TTFB_COUNT = Number(process.env.BENCH_TTFB_COUNT ?? 1000);
const STREAMS = Number(process.env.BENCH_STREAMS ?? 500);
const ONLY = process.env.BENCH_ONLY ?? "";
const CHUNK_MS = 50; // 20 tokens/s per stream: 500 streams are 10,000 chunks/s
const CHUNKS = 40;
const KEY = "sk-bench-gateway-key-0001";
const AUTH = { authorization: `Bearer ${KEY}` };

const user = { role: "user", content: "Hello there, how are you today?" };
const CHAT = JSON.stringify({ model: "bench", messages: [{ role: "system", content: "You are terse." }, user], max_tokens: 32 });
const CHAT_STREAM = JSON.stringify({ model: "bench-sse", messages: [user], max_tokens: 32, stream: true });
const MESSAGES = JSON.stringify({ model: "bench", max_tokens: 32, system: "You are terse.", messages: [user] });
const MESSAGES_STREAM = JSON.stringify({ model: "bench-sse", max_tokens: 32, stream: true, messages: [user] });
const TIMED = JSON.stringify({ model: "bench-timed", messages: [user], max_tokens: CHUNKS, stream: true });

const fmt = (n: number, d = 0) => n.toLocaleString("en-US", { maximumFractionDigits: d, minimumFractionDigits: d });
const mib = (b: number) => `${fmt(b / 1048576, 1)} MiB`;
const median = (xs: number[]) => percentile(xs, 50);
/** "median (min–max)" over rounds. */
const spread = (xs: number[], d = 0) => (xs.length > 1 ? `${fmt(median(xs), d)} (${fmt(Math.min(...xs), d)}–${fmt(Math.max(...xs), d)})` : fmt(xs[0] ?? NaN, d));
const verdict = (ok: boolean) => (ok ? "PASS" : "FAIL");
const load = () => os.loadavg().map((x) => x.toFixed(2)).join(" ");

function ensureTools(): void {
  const has = (cmd: string) => {
    try {
      execFileSync("sh", ["-c", `command -v ${cmd} || test -x /usr/sbin/${cmd}`], { stdio: "ignore" });
      return true;
    } catch {
      return false;
    }
  };
  if (!has("nginx") || !has("wrk")) execFileSync("bash", [path.join(ROOT, "scripts/test-deps/nginx.sh")], { stdio: "inherit" });
}

/** A helper process of ours (bench/gateway/NAME.ts) that prints the port it listens on. */
async function startHelper(name: string, args: string[]): Promise<{ url: string; port: number; pid: number; stop(): void }> {
  const child = spawn(process.execPath, ["--import", "tsx", path.join(ROOT, `bench/gateway/${name}.ts`), "0", ...args], { stdio: ["ignore", "pipe", "inherit"] });
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout!.once("data", (b: Buffer) => resolve(Number(b.toString().trim())));
    child.once("exit", (c) => reject(new Error(`${name} exited with ${c}`)));
  });
  return { url: `http://127.0.0.1:${port}`, port, pid: child.pid!, stop: () => void child.kill("SIGTERM") };
}

async function main() {
  ensureTools();
  const upstream = await startNginx(cannedServer);
  const nginx = await startNginx(proxyServer(Number(new URL(upstream.url).port)));
  const timed = await startHelper("timed-upstream", [String(CHUNK_MS), String(CHUNKS)]);
  const minimal = await startHelper("minimal-proxy", [upstream.url]);
  const relay = await startHelper("tcp-relay", [upstream.url]);
  const nginxTimed = await startNginx(proxyServer(timed.port));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sy-bench-gw-"));
  const config = path.join(dir, "switchyard.yaml");
  fs.writeFileSync(config, [
    "apiKeys:", `  - {name: bench, key: ${KEY}}`,
    "backends:",
    `  - {name: canned, url: "${upstream.url}", api: openai}`,
    `  - {name: canned-sse, url: "${upstream.url}/sse", api: openai}`,
    `  - {name: timed, url: "${timed.url}", api: openai}`,
    "routes:",
    "  - {model: bench, targets: [canned/canned-model]}",
    "  - {model: bench-sse, targets: [canned-sse/canned-model]}",
    "  - {model: bench-timed, targets: [timed/timed]}",
    "",
  ].join("\n"));
  const server = await startServer({ env: { SWITCHYARD_CONFIG: config, LOG_LEVEL: "warn" } });
  const pgDb = postgresBinDir() ? await benchPostgres() : null;
  const pgServer = pgDb ? await startServer({ env: { SWITCHYARD_CONFIG: config, SWITCHYARD_DATABASE_URL: pgDb.url, LOG_LEVEL: "warn" } }) : null;
  const stopAll = async () => {
    await server.stop();
    await pgServer?.stop();
    pgDb?.remove();
    await Promise.all([nginx.stop(), nginxTimed.stop(), upstream.stop()]);
    timed.stop();
    minimal.stop();
    relay.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  };
  // Ctrl-C (or a closed pipe) must not leave nginx, the upstreams or the server running.
  const abort = () => void stopAll().finally(() => process.exit(130));
  for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.once(sig, abort);
  process.stdout.once("error", abort); // EPIPE: `npm run bench:gateway | head`
  const gw = server.url;
  const gwPid = server.proc.child.pid!;
  const pgPid = pgServer?.proc.child.pid ?? null;
  const ours = [upstream.pid, nginx.pid, nginxTimed.pid, timed.pid, minimal.pid, relay.pid, gwPid, ...(pgPid ? [pgPid] : [])];
  const plain = wrkScript([CHAT], AUTH);
  const translated = wrkScript([MESSAGES], AUTH);
  const mixed = wrkScript([CHAT, CHAT_STREAM, MESSAGES, MESSAGES_STREAM], AUTH);
  const out = (s: string) => void process.stdout.write(`${s}\n`);
  const wrk = async (what: string, url: string, script: string, opts: { connections: number; seconds: number; threads?: number }, proxyPid?: number) => {
    const cpu = openCpuWindow(ours);
    const r: WrkResult = await runWrk(url, script, opts);
    if (r.errors > 0) out(`  !! ${what}: ${r.errors} of ${r.requests} requests failed`);
    return { ...r, cpuUsPerReq: proxyPid ? (cpu.used(proxyPid) * 1e6) / r.requests : NaN, upstreamUsPerReq: (cpu.used(upstream.pid) * 1e6) / r.requests, othersPct: cpu.othersPct() };
  };

  try {
    out(`bench:gateway — ${os.cpus().length} cores, ${ROUNDS} rounds interleaved, ${SECONDS} s per throughput run, load from wrk`);
    out(`  load average at start: ${load()}`);
    // Warm-up: JIT, keep-alive pools, SQLite pages.
    await runWrk(`${gw}/v1/chat/completions`, mixed, { connections: 8, seconds: 3 });
    await runWrk(`${nginx.url}/v1/chat/completions`, plain, { connections: 8, seconds: 1 });
    await runWrk(`${minimal.url}/v1/chat/completions`, plain, { connections: 8, seconds: 1 });
    await runWrk(`${relay.url}/v1/chat/completions`, plain, { connections: 1, seconds: 1 });
    if (pgServer) await runWrk(`${pgServer.url}/v1/chat/completions`, mixed, { connections: 8, seconds: 3 });

    // First, on a server with only the warm-up behind it: its RSS is then what 500 streams take, not
    // the heap left over from the throughput runs (the soak measures memory under request load).
    const rssBefore = readProc(gwPid).rssBytes;
    if (ONLY === "") {
      out(`\n1. Streams at scale: ${STREAMS} concurrent streams of ${CHUNKS} chunks, one per ${CHUNK_MS} ms each; delay per chunk (upstream write → client) in ms`);
      const st = { dP99: [] as number[], nP99: [] as number[], gP99: [] as number[], nAdd: [] as number[], gAdd: [] as number[], diff: [] as number[], rss: [] as number[], gP50: [] as number[], nP50: [] as number[], nCpu: [] as number[], gCpu: [] as number[], others: [] as number[], bad: 0 };
      const streams = async (what: string, url: string, headers: Record<string, string>, proxyPid?: number): Promise<StreamsResult & { cpuUsPerChunk: number }> => {
        const cpu = openCpuWindow(ours);
        const r = await runStreams(url, TIMED, headers, { count: STREAMS, chunks: CHUNKS, spreadMs: CHUNK_MS });
        st.others.push(cpu.othersPct());
        if (r.failed || r.truncated) out(`  !! ${what}: ${r.failed} failed, ${r.truncated} truncated of ${STREAMS}${r.firstError ? ` (${r.firstError})` : ""}`);
        st.bad += r.failed + r.truncated;
        return { ...r, cpuUsPerChunk: proxyPid ? (cpu.used(proxyPid) * 1e6) / r.delaysMs.length : NaN };
      };
      for (let i = 0; i < ROUNDS; i++) {
        const d = await streams("upstream alone", `${timed.url}/v1/chat/completions`, {});
        const n = await streams("nginx", `${nginxTimed.url}/v1/chat/completions`, {}, nginxTimed.pid);
        let peak = 0;
        const sampler = setInterval(() => void (peak = Math.max(peak, readProc(gwPid).rssBytes)), 100);
        const g = await streams("gateway", `${gw}/v1/chat/completions`, AUTH, gwPid);
        clearInterval(sampler);
        peak = Math.max(peak, readProc(gwPid).rssBytes);
        const q = (r: StreamsResult, x: number) => percentile(r.delaysMs, x);
        st.dP99.push(q(d, 99)); st.nP99.push(q(n, 99)); st.gP99.push(q(g, 99)); st.nP50.push(q(n, 50)); st.gP50.push(q(g, 50));
        st.nAdd.push(q(n, 99) - q(d, 99)); st.gAdd.push(q(g, 99) - q(d, 99)); st.diff.push(q(g, 99) - q(n, 99)); st.rss.push(peak);
        st.nCpu.push(n.cpuUsPerChunk); st.gCpu.push(g.cpuUsPerChunk);
        out(`  round ${i + 1}: p99 upstream alone ${fmt(q(d, 99), 2)}, via nginx ${fmt(q(n, 99), 2)}, via gateway ${fmt(q(g, 99), 2)}; gateway RSS peak ${mib(peak)}`);
      }
      out(`  p50 via nginx ${spread(st.nP50, 2)}, via gateway ${spread(st.gP50, 2)}`);
      out(`  p99 added over the upstream alone: nginx +${spread(st.nAdd, 2)}, gateway +${spread(st.gAdd, 2)}`);
      out(`  gateway p99 − nginx p99: ${spread(st.diff, 2)} ms (target ≤ 5) ${verdict(median(st.diff) <= 5)}; ratio ${fmt(median(st.gP99) / median(st.nP99), 2)}×`);
      out(`  CPU per chunk relayed: nginx ${spread(st.nCpu, 1)} µs, gateway ${spread(st.gCpu, 1)} µs; rest of the machine busy ${spread(st.others)} %`);
      out(`  failed or truncated: ${st.bad} ${verdict(st.bad === 0)}; gateway RSS ${mib(rssBefore)} before, peak ${spread(st.rss.map((b) => b / 1048576))} MiB (target ≤ 400) ${verdict(Math.max(...st.rss) <= 400 * 1048576)}`);
    }

    if (ONLY !== "latency") {
      out("\n2. Throughput at 32 connections: requests/s, proxy CPU µs per request — median (min–max) over rounds");
      const t = { pg: [] as number[], pgCpu: [] as number[], rPg: [] as number[], min: [] as number[], minCpu: [] as number[], rMin: [] as number[], up: [] as number[], ng: [] as number[], gw: [] as number[], tr: [] as number[], ngCpu: [] as number[], gwCpu: [] as number[], trCpu: [] as number[], upCpu: [] as number[], rGw: [] as number[], rTr: [] as number[], others: [] as number[], gcMinor: [] as number[], gcMajor: [] as number[] };
      for (let i = 0; i < ROUNDS; i++) {
        const run = { connections: 32, seconds: SECONDS };
        type Run = Awaited<ReturnType<typeof wrk>>;
        const r: Partial<Record<"up" | "ng" | "g" | "p" | "tr" | "m", Run>> = {};
        const withGc = async (go: () => Promise<Run>): Promise<Run> => {
          const before = await gcSeconds(server);
          const res = await go();
          const after = await gcSeconds(server);
          t.gcMinor.push(((after.minor - before.minor) * 1e6) / res.requests);
          t.gcMajor.push(((after.major - before.major) * 1e6) / res.requests);
          return res;
        };
        const steps: Array<() => Promise<unknown>> = [
          async () => (r.up = await wrk("upstream", `${upstream.url}/v1/chat/completions`, plain, run)),
          async () => (r.ng = await wrk("nginx", `${nginx.url}/v1/chat/completions`, plain, run, nginx.pid)),
          async () => (r.g = await withGc(() => wrk("gateway", `${gw}/v1/chat/completions`, plain, run, gwPid))),
          ...(pgServer && pgPid ? [async () => (r.p = await wrk("gateway on PostgreSQL", `${pgServer.url}/v1/chat/completions`, plain, run, pgPid))] : []),
          async () => (r.tr = await withGc(() => wrk("gateway translated", `${gw}/v1/messages`, translated, run, gwPid))),
          async () => (r.m = await wrk("minimal Node proxy", `${minimal.url}/v1/chat/completions`, plain, run, minimal.pid)),
        ];
        // Every other round runs them in reverse: a machine that slows down (or speeds up) over a round
        // then biases no ratio the same way twice. The two gateways run next to each other either way.
        for (const step of i % 2 === 0 ? steps : steps.slice().reverse()) await step();
        const { up, ng, g, tr, m } = r as Required<typeof r>;
        if (r.p) {
          const p = r.p;
          t.pg.push(p.rps); t.pgCpu.push(p.cpuUsPerReq); t.rPg.push(p.rps / g.rps);
          out(`  round ${i + 1}: gateway on PostgreSQL ${fmt(p.rps)} (${fmt(p.rps / g.rps, 2)}× the one on SQLite)`);
        }
        t.min.push(m.rps); t.minCpu.push(m.cpuUsPerReq); t.rMin.push(m.rps / ng.rps);
        t.up.push(up.rps); t.ng.push(ng.rps); t.gw.push(g.rps); t.tr.push(tr.rps);
        t.ngCpu.push(ng.cpuUsPerReq); t.gwCpu.push(g.cpuUsPerReq); t.trCpu.push(tr.cpuUsPerReq); t.upCpu.push(up.upstreamUsPerReq);
        t.rGw.push(g.rps / ng.rps); t.rTr.push(tr.rps / ng.rps);
        t.others.push(up.othersPct, ng.othersPct, g.othersPct, tr.othersPct, m.othersPct);
        out(`  round ${i + 1}: upstream ${fmt(up.rps)}, nginx ${fmt(ng.rps)}, gateway ${fmt(g.rps)} (${fmt(g.rps / ng.rps, 2)}×), translated ${fmt(tr.rps)} (${fmt(tr.rps / ng.rps, 2)}×), minimal Node proxy ${fmt(m.rps)} (${fmt(m.rps / ng.rps, 2)}×); rest of the machine ${fmt(Math.max(up.othersPct, ng.othersPct, g.othersPct, tr.othersPct))} % at most`);
      }
      out(`  upstream alone (nginx, canned)  ${spread(t.up).padEnd(24)} its CPU ${spread(t.upCpu, 1)} µs/req`);
      out(`  nginx pass-through              ${spread(t.ng).padEnd(24)} CPU ${spread(t.ngCpu, 1)} µs/req`);
      out(`  gateway pass-through            ${spread(t.gw).padEnd(24)} CPU ${spread(t.gwCpu, 1)} µs/req`);
      out(`  gateway Anthropic→OpenAI        ${spread(t.tr).padEnd(24)} CPU ${spread(t.trCpu, 1)} µs/req`);
      out(`  minimal Node proxy (undici)     ${spread(t.min).padEnd(24)} CPU ${spread(t.minCpu, 1)} µs/req   ${spread(t.rMin, 2)}× nginx: the floor for Node`);
      if (t.pg.length) out(`  gateway on PostgreSQL           ${spread(t.pg).padEnd(24)} CPU ${spread(t.pgCpu, 1)} µs/req   ${spread(t.rPg, 2)}× the gateway on SQLite (target ≥ 0.95) ${verdict(median(t.rPg) >= 0.95)}`);
      out(`  ratio pass-through   ${spread(t.rGw, 2)}× nginx (target ≥ 0.25, aim 0.30) ${verdict(median(t.rGw) >= 0.25)}`);
      out(`  ratio translated     ${spread(t.rTr, 2)}× nginx (target ≥ 0.20) ${verdict(median(t.rTr) >= 0.2)}`);
      out(`  CPU per request      gateway ${fmt(median(t.gwCpu) / median(t.ngCpu), 1)}× nginx's; rest of the machine busy ${spread(t.others)} % during these runs`);
      out(`  GC per request       gateway (its /metrics, both kinds of run): young generation ${spread(t.gcMinor, 1)} µs, major ${spread(t.gcMajor, 1)} µs`);
    }

    if (ONLY === "throughput") return;
    out("\n3. Latency at one connection: p50 (p99) in µs, added p50 over the upstream alone — median (min–max)");
    const l = { up: [] as number[], ng: [] as number[], gw: [] as number[], addNg: [] as number[], addGw: [] as number[], p99: [] as number[], addRelay: [] as number[], addMin: [] as number[], overMin: [] as number[] };
    for (let i = 0; i < ROUNDS; i++) {
      const run = { connections: 1, seconds: Math.max(2, Math.round(SECONDS / 2)), threads: 1 };
      const targets = [["upstream", upstream.url], ["nginx", nginx.url], ["TCP relay", relay.url], ["minimal Node proxy", minimal.url], ["gateway", gw]] as const;
      const got = new Map<string, Awaited<ReturnType<typeof wrk>>>();
      for (const [what, url] of i % 2 === 0 ? targets : [...targets].reverse()) got.set(what, await wrk(`${what} latency`, `${url}/v1/chat/completions`, plain, run));
      const pick = (what: (typeof targets)[number][0]) => got.get(what)!;
      const [up, ng, tcp, m, g] = [pick("upstream"), pick("nginx"), pick("TCP relay"), pick("minimal Node proxy"), pick("gateway")];
      l.up.push(up.p50us); l.ng.push(ng.p50us); l.gw.push(g.p50us); l.p99.push(g.p99us);
      l.addNg.push(ng.p50us - up.p50us); l.addGw.push(g.p50us - up.p50us);
      l.addRelay.push(tcp.p50us - up.p50us); l.addMin.push(m.p50us - up.p50us); l.overMin.push(g.p50us - m.p50us);
    }
    out(`  upstream alone   ${spread(l.up)}`);
    out(`  via nginx        ${spread(l.ng)}   added ${spread(l.addNg)}`);
    out(`  via gateway      ${spread(l.gw)} (p99 ${spread(l.p99)})   added ${spread(l.addGw)} (target ≤ 150) ${verdict(median(l.addGw) <= 150)}`);
    out(`  floors for Node: a TCP relay (no HTTP) adds ${spread(l.addRelay)}, the minimal Node proxy (node:http + undici) ${spread(l.addMin)}; the gateway adds ${spread(l.overMin)} over the latter`);
    if (ONLY === "latency") return;

    out(`\n4. Streaming time to first byte, ${TTFB_COUNT} sequential requests, p50 / p99 in µs`);
    const sse = `${upstream.url}/sse/v1/chat/completions`;
    const sDirect = await measureTtfb(sse, CHAT_STREAM, {}, TTFB_COUNT);
    const sNginx = await measureTtfb(`${nginx.url}/sse/v1/chat/completions`, CHAT_STREAM, {}, TTFB_COUNT);
    const sGw = await measureTtfb(`${gw}/v1/chat/completions`, CHAT_STREAM, AUTH, TTFB_COUNT);
    const sTr = await measureTtfb(`${gw}/v1/messages`, MESSAGES_STREAM, AUTH, TTFB_COUNT);
    const p = (xs: number[], q: number) => percentile(xs, q) * 1000;
    const row = (what: string, xs: number[]) => out(`  ${what.padEnd(24)} ${fmt(p(xs, 50)).padStart(6)} / ${fmt(p(xs, 99)).padStart(6)}   +${fmt(p(xs, 50) - p(sDirect, 50))}`);
    row("upstream alone", sDirect);
    row("via nginx", sNginx);
    row("via gateway", sGw);
    row("via gateway, translated", sTr);

    if (SOAK_S > 0) await soak(gw, gwPid, mixed, out);
    out(`\n  load average at the end: ${load()}`);
  } finally {
    await stopAll();
  }
}

/** Seconds the server has spent in GC, young generation and major (incremental steps included), from its /metrics. */
async function gcSeconds(server: TestServer): Promise<{ minor: number; major: number }> {
  const text = await (await server.api("/metrics")).text();
  const sum = (kind: string) => Number(new RegExp(`^nodejs_gc_duration_seconds_sum\\{kind="${kind}"\\} (\\S+)$`, "m").exec(text)?.[1] ?? 0);
  if (!text.includes("nodejs_gc_duration_seconds_sum{kind=\"minor\"}")) throw new Error("the gateway's /metrics has no young-generation GC series");
  return { minor: sum("minor"), major: sum("major") + sum("incremental") };
}

async function soak(gw: string, pid: number, mixed: string, out: (s: string) => void): Promise<void> {
  out(`\n5. Memory over a ${SOAK_S} s soak (16 connections; plain, streamed, both protocols)`);
  const samples: Array<{ t: number; rss: number }> = [];
  const start = Date.now();
  const sampler = setInterval(() => samples.push({ t: (Date.now() - start) / 1000, rss: readProc(pid).rssBytes }), Math.max(500, (SOAK_S * 1000) / 60));
  const r = await runWrk(`${gw}/v1/chat/completions`, mixed, { connections: 16, seconds: SOAK_S });
  clearInterval(sampler);
  samples.push({ t: (Date.now() - start) / 1000, rss: readProc(pid).rssBytes });
  // RSS saws with every GC (up and down by 100 MiB under this load), so windows are compared by
  // their floors (the RSS right after a collection): the second fifth (after warm-up: pools filled,
  // JIT settled) against the last fifth. A leak raises the floor; garbage only the teeth.
  const window = (from: number, to: number) => samples.filter((x) => x.t >= from * SOAK_S && x.t <= to * SOAK_S + 1).map((x) => x.rss);
  const early = Math.min(...window(0.2, 0.4));
  const late = Math.min(...window(0.8, 1));
  const peak = Math.max(...samples.map((x) => x.rss));
  const growth = (late - early) / early;
  out(`  ${fmt(r.requests)} requests (${fmt(r.rps)}/s), ${r.errors} failed`);
  out(`  RSS floor after warm-up ${mib(early)}, over the last fifth ${mib(late)}, peak ${mib(peak)}: growth ${fmt(growth * 100, 1)} % (target ≤ 10 %) ${verdict(growth <= 0.1)}`);
  out(`  samples: ${samples.map((s) => `${fmt(s.t)}s=${fmt(s.rss / 1048576)}`).join(" ")}`);
}

main().catch((err) => {
  process.stderr.write(`bench:gateway failed: ${(err as Error).stack ?? err}\n`);
  process.exit(1);
});
