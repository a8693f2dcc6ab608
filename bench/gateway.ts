/**
 * `npm run bench:gateway` — the gateway against nginx proxying the same canned upstream, in one run:
 *  1. non-streaming pass-through throughput at 32 connections (target ≥ 0.2× nginx);
 *  2. Anthropic → OpenAI translated throughput at 32 connections (target ≥ 0.15× nginx pass-through);
 *  3. added p50 latency at one connection, over the upstream alone (target ≤ 300 µs);
 *  4. streaming time-to-first-byte overhead over the upstream alone (target ≤ 1 ms);
 *  5. memory over a soak of mixed plain and streamed traffic (flat: growth after warm-up ≤ 10 %).
 * The real server process (server/main.ts) is measured, request log and metrics included.
 *
 * Load comes from wrk; nginx and wrk are installed by scripts/test-deps/nginx.sh when missing.
 *   BENCH_SECONDS=10 (each throughput/latency run), BENCH_SOAK_SECONDS=60 (10 minutes: 600),
 *   BENCH_TTFB_COUNT=1000.
 */
import { execFileSync, spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { ROOT, freePort, startServer } from "../tests/helpers/processes";
import { startNginx } from "./gateway/nginx";
import { measureTtfb } from "./gateway/ttfb";
import { runWrk, wrkScript, type WrkResult } from "./gateway/wrk";
import { percentile, readProc } from "./proc-stats";

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const SOAK_S = Number(process.env.BENCH_SOAK_SECONDS ?? 60);
const TTFB_COUNT = Number(process.env.BENCH_TTFB_COUNT ?? 1000);
const KEY = "sk-bench-gateway-key-0001";
const AUTH = { authorization: `Bearer ${KEY}` };

const CHAT = JSON.stringify({ model: "bench", messages: [{ role: "system", content: "You are terse." }, { role: "user", content: "Hello there, how are you today?" }], max_tokens: 32 });
const CHAT_STREAM = JSON.stringify({ model: "bench", messages: [{ role: "user", content: "Hello there, how are you today?" }], max_tokens: 32, stream: true });
const MESSAGES = JSON.stringify({ model: "bench", max_tokens: 32, system: "You are terse.", messages: [{ role: "user", content: "Hello there, how are you today?" }] });
const MESSAGES_STREAM = JSON.stringify({ model: "bench", max_tokens: 32, stream: true, messages: [{ role: "user", content: "Hello there, how are you today?" }] });

const fmt = (n: number, d = 0) => n.toLocaleString("en-US", { maximumFractionDigits: d, minimumFractionDigits: d });
const mib = (b: number) => `${fmt(b / 1048576, 1)} MiB`;

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

async function startUpstream(): Promise<{ port: number; pid: number; stop(): void }> {
  const child = spawn(process.execPath, ["--import", "tsx", path.join(ROOT, "bench/gateway/canned-upstream.ts")], { stdio: ["ignore", "pipe", "inherit"] });
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout!.once("data", (b: Buffer) => resolve(Number(b.toString().trim())));
    child.once("exit", (c) => reject(new Error(`canned upstream exited with ${c}`)));
  });
  return { port, pid: child.pid!, stop: () => void child.kill("SIGTERM") };
}

async function main() {
  ensureTools();
  const upstream = await startUpstream();
  const direct = `http://127.0.0.1:${upstream.port}`;
  const nginx = await startNginx(await freePort(), upstream.port);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sy-bench-gw-"));
  const config = path.join(dir, "switchyard.yaml");
  fs.writeFileSync(config, `apiKeys:\n  - {name: bench, key: ${KEY}}\nbackends:\n  - {name: canned, url: "${direct}", api: openai}\nroutes:\n  - {model: bench, targets: [canned/canned-model]}\n`);
  const server = await startServer({ env: { SWITCHYARD_CONFIG: config, LOG_LEVEL: "warn" } });
  // Ctrl-C (or a closed pipe) must not leave nginx, the upstream or the server running.
  const abort = () => {
    server.proc.child.kill("SIGTERM");
    void nginx.stop();
    upstream.stop();
    process.exit(130);
  };
  for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.once(sig, abort);
  process.stdout.once("error", abort); // EPIPE: `npm run bench:gateway | head`
  const gw = server.url;
  const serverPid = server.proc.child.pid!;
  const plain = wrkScript([CHAT], AUTH);
  const translated = wrkScript([MESSAGES], AUTH);
  const mixed = wrkScript([CHAT, CHAT_STREAM, MESSAGES, MESSAGES_STREAM], AUTH);
  const lines: string[] = [];
  const out = (s: string) => {
    lines.push(s);
    process.stdout.write(`${s}\n`);
  };
  const checkErrors = (what: string, r: WrkResult) => {
    if (r.errors > 0) out(`  !! ${what}: ${r.errors} of ${r.requests} requests failed`);
    return r;
  };

  try {
    out(`bench:gateway — ${os.cpus().length} cores, ${SECONDS} s per run, load from wrk`);
    // Warm-up: JIT, keep-alive pools, SQLite pages.
    await runWrk(`${gw}/v1/chat/completions`, mixed, { connections: 8, seconds: 2 });
    await runWrk(`${nginx.url}/v1/chat/completions`, plain, { connections: 8, seconds: 1 });

    out("\n1-2. Throughput at 32 connections (requests/s)");
    const tDirect = checkErrors("upstream", await runWrk(`${direct}/v1/chat/completions`, plain, { connections: 32, seconds: SECONDS }));
    const tNginx = checkErrors("nginx", await runWrk(`${nginx.url}/v1/chat/completions`, plain, { connections: 32, seconds: SECONDS }));
    const tGw = checkErrors("gateway", await runWrk(`${gw}/v1/chat/completions`, plain, { connections: 32, seconds: SECONDS }));
    const tTr = checkErrors("gateway translated", await runWrk(`${gw}/v1/messages`, translated, { connections: 32, seconds: SECONDS }));
    out(`  upstream alone                  ${fmt(tDirect.rps).padStart(8)}`);
    out(`  nginx pass-through              ${fmt(tNginx.rps).padStart(8)}`);
    out(`  gateway pass-through            ${fmt(tGw.rps).padStart(8)}   ratio ${fmt(tGw.rps / tNginx.rps, 2)}× nginx (target ≥ 0.20) ${tGw.rps / tNginx.rps >= 0.2 ? "PASS" : "FAIL"}`);
    out(`  gateway Anthropic→OpenAI        ${fmt(tTr.rps).padStart(8)}   ratio ${fmt(tTr.rps / tNginx.rps, 2)}× nginx (target ≥ 0.15) ${tTr.rps / tNginx.rps >= 0.15 ? "PASS" : "FAIL"}`);

    out("\n3. Latency at one connection (p50 / p99)");
    const lDirect = await runWrk(`${direct}/v1/chat/completions`, plain, { connections: 1, seconds: SECONDS, threads: 1 });
    const lNginx = await runWrk(`${nginx.url}/v1/chat/completions`, plain, { connections: 1, seconds: SECONDS, threads: 1 });
    const lGw = checkErrors("gateway latency", await runWrk(`${gw}/v1/chat/completions`, plain, { connections: 1, seconds: SECONDS, threads: 1 }));
    const added = lGw.p50us - lDirect.p50us;
    out(`  upstream alone   ${fmt(lDirect.p50us).padStart(6)} µs / ${fmt(lDirect.p99us)} µs`);
    out(`  via nginx        ${fmt(lNginx.p50us).padStart(6)} µs / ${fmt(lNginx.p99us)} µs   (+${fmt(lNginx.p50us - lDirect.p50us)} µs)`);
    out(`  via gateway      ${fmt(lGw.p50us).padStart(6)} µs / ${fmt(lGw.p99us)} µs   added p50 ${fmt(added)} µs (target ≤ 300) ${added <= 300 ? "PASS" : "FAIL"}`);

    out(`\n4. Streaming time to first byte, ${TTFB_COUNT} sequential requests (p50 / p99)`);
    const sDirect = await measureTtfb(`${direct}/v1/chat/completions`, CHAT_STREAM, {}, TTFB_COUNT);
    const sNginx = await measureTtfb(`${nginx.url}/v1/chat/completions`, CHAT_STREAM, {}, TTFB_COUNT);
    const sGw = await measureTtfb(`${gw}/v1/chat/completions`, CHAT_STREAM, AUTH, TTFB_COUNT);
    const sTr = await measureTtfb(`${gw}/v1/messages`, MESSAGES_STREAM, AUTH, TTFB_COUNT);
    const p = (xs: number[], q: number) => percentile(xs, q) * 1000;
    const over = p(sGw, 50) - p(sDirect, 50);
    out(`  upstream alone            ${fmt(p(sDirect, 50)).padStart(6)} µs / ${fmt(p(sDirect, 99))} µs`);
    out(`  via nginx                 ${fmt(p(sNginx, 50)).padStart(6)} µs / ${fmt(p(sNginx, 99))} µs   (+${fmt(p(sNginx, 50) - p(sDirect, 50))} µs)`);
    out(`  via gateway               ${fmt(p(sGw, 50)).padStart(6)} µs / ${fmt(p(sGw, 99))} µs   overhead ${fmt(over)} µs (target ≤ 1000) ${over <= 1000 ? "PASS" : "FAIL"}`);
    out(`  via gateway, translated   ${fmt(p(sTr, 50)).padStart(6)} µs / ${fmt(p(sTr, 99))} µs   overhead ${fmt(p(sTr, 50) - p(sDirect, 50))} µs`);

    out(`\n5. Memory over a ${SOAK_S} s soak (16 connections; plain, streamed, both protocols)`);
    const samples: Array<{ t: number; rss: number }> = [];
    const start = Date.now();
    const sampler = setInterval(() => samples.push({ t: (Date.now() - start) / 1000, rss: readProc(serverPid).rssBytes }), Math.max(500, (SOAK_S * 1000) / 60));
    const soak = await runWrk(`${gw}/v1/chat/completions`, mixed, { connections: 16, seconds: SOAK_S });
    clearInterval(sampler);
    samples.push({ t: (Date.now() - start) / 1000, rss: readProc(serverPid).rssBytes });
    // RSS saws with every GC, so windows are compared by their medians: the second fifth (after
    // warm-up: pools filled, JIT settled) against the last fifth. A leak shows as a rising median.
    const window = (from: number, to: number) => samples.filter((x) => x.t >= from * SOAK_S && x.t <= to * SOAK_S + 1).map((x) => x.rss);
    const early = percentile(window(0.2, 0.4), 50);
    const late = percentile(window(0.8, 1), 50);
    const peak = Math.max(...samples.map((x) => x.rss));
    const growth = (late - early) / early;
    out(`  ${fmt(soak.requests)} requests (${fmt(soak.rps)}/s), ${soak.errors} failed`);
    out(`  RSS median after warm-up ${mib(early)}, over the last fifth ${mib(late)}, peak ${mib(peak)}: growth ${fmt(growth * 100, 1)} % (target ≤ 10 %) ${growth <= 0.1 ? "PASS" : "FAIL"}`);
    out(`  samples: ${samples.map((s) => `${fmt(s.t)}s=${fmt(s.rss / 1048576)}`).join(" ")}`);
  } finally {
    await server.stop();
    await nginx.stop();
    upstream.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  process.stderr.write(`bench:gateway failed: ${(err as Error).stack ?? err}\n`);
  process.exit(1);
});
