/**
 * Two servers on a PostgreSQL cluster of this file's own, which the tests restart and stop: the
 * gateway (a real llama.cpp server behind it) keeps answering from memory the whole time; the
 * servers say what happened and reconnect their pool, bus and leader connections; telemetry
 * history and the request log written meanwhile are kept and caught up; messages flow again.
 */
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { NodeHistory } from "../../protocol/live";
import { writeTinyLlamaGguf } from "../fixtures/gguf/writer";
import { clusterServer, clusterStats, nodeOn } from "../helpers/cluster-servers";
import { skipReason } from "../helpers/databases";
import { TEST_LABEL, cleanupContainers, dockerSkipReason } from "../helpers/docker";
import { startLlamaServer, type LlamaServer } from "../helpers/llama";
import { controlCluster, ensureCluster, makeRunDir, removeRunDir } from "../helpers/postgres-cluster";
import { startAgent, waitFor, type Proc, type TestServer } from "../helpers/processes";

const PREFIX = `msfaults-${process.pid}`;
const BOX = `${PREFIX}-box`;
const KEY = "sk-multiserver-faults-key-0001";
const WORD = "Pong";
const skip = skipReason("postgres") ?? (await dockerSkipReason());

describe.skipIf(skip !== null)(`two servers through database restarts${skip ? ` (skipped: ${skip})` : ""}`, () => {
  let runDir: string;
  let dir: string;
  let llama: LlamaServer;
  let a: TestServer;
  let b: TestServer;
  let box: Proc;

  const ask = async (s: TestServer) => {
    const res = await fetch(`${s.url}/v1/chat/completions`, {
      method: "POST", headers: { authorization: `Bearer ${KEY}`, "content-type": "application/json" },
      body: JSON.stringify({ model: "tiny", messages: [{ role: "user", content: "hi" }], max_tokens: 4 }),
    });
    return { status: res.status, text: res.status === 200 ? ((await res.json()) as { choices: Array<{ message: { content: string } }> }).choices[0]!.message.content.trim() : await res.text() };
  };

  /** Gateway requests from four clients, alternating between the servers, until `until` settles; every answer kept. */
  async function trafficDuring(until: Promise<unknown>) {
    const answers: Array<{ status: number; text: string }> = [];
    let done = false;
    void until.finally(() => (done = true));
    const client = async (first: number) => {
      for (let i = first; !done; i++) answers.push(await ask(i % 2 ? b : a).catch((err: Error) => ({ status: 0, text: err.message })));
    };
    await Promise.all([0, 1, 2, 3].map(client));
    await until;
    return answers;
  }

  const historyOf = async (s: TestServer) => {
    const res = await s.api(`/api/nodes/${BOX}/history?range=5m`);
    const body = await res.text();
    if (res.status !== 200) throw new Error(`history of ${BOX}: HTTP ${res.status} ${body}`);
    return (JSON.parse(body) as NodeHistory).gpus[0]?.points.map((p) => p.ts) ?? [];
  };
  const backOnline = () => waitFor("both buses up, one leader", async () => {
    const stats = await Promise.all([a, b].map(clusterStats));
    return stats.every((s) => s.bus.up) && stats.filter((s) => s.leader).length === 1 ? stats : null;
  }, 30_000, 200);

  beforeAll(async () => {
    runDir = makeRunDir();
    const cluster = await ensureCluster(runDir);
    const admin = new pg.Client({ connectionString: cluster.url("postgres") });
    await admin.connect();
    await admin.query("create database faults");
    await admin.end();
    dir = await fs.mkdtemp(path.join(os.tmpdir(), "switchyard-msfaults-"));
    const model = path.join(dir, "tiny.gguf");
    await writeTinyLlamaGguf(model, { deterministicWord: WORD });
    llama = await startLlamaServer({ model, via: "docker", extraArgs: ["-a", "tiny"], labels: { [`${TEST_LABEL}.owner`]: PREFIX } });
    const configYaml = `
apiKeys:
  - {name: laptop, key: ${KEY}}
backends:
  - {name: llama, url: "${llama.url}", api: openai}
routes:
  - {model: tiny, targets: [llama/tiny]}
`;
    const env = { SWITCHYARD_OFFLINE_AFTER_S: "10", LOG_LEVEL: "info" };
    a = await clusterServer(cluster.url("faults"), { configYaml, env });
    b = await clusterServer(cluster.url("faults"), { configYaml, env });
    box = startAgent({ server: `${a.url},${b.url}`, name: BOX, gpus: "h100" });
    await waitFor(`${BOX} online on both`, async () => (await nodeOn(a, BOX))?.online && (await nodeOn(b, BOX))?.online, 30_000);
    expect((await ask(a)).text).toBe(WORD);
  }, 180_000);

  afterAll(async () => {
    await box?.stop();
    await Promise.all([a?.stop(), b?.stop()]);
    await llama?.stop();
    await cleanupContainers({ [`${TEST_LABEL}.owner`]: PREFIX });
    if (runDir) removeRunDir(runDir);
    if (dir) await fs.rm(dir, { recursive: true, force: true });
  });

  it("pg_ctl restart -m fast mid-traffic: every gateway request answered, telemetry and the request log caught up, messages flow again", async () => {
    // The box has history from before, so that a gap would show.
    await waitFor("history of the box", async () => (await historyOf(b)).length >= 5, 20_000, 500);
    const before = (await clusterStats(a)).bus.reconnects + (await clusterStats(b)).bus.reconnects;
    const t0 = Date.now();
    const answers = await trafficDuring((async () => {
      await controlCluster(runDir, "restart");
      await waitFor("the buses reconnected", async () => (await clusterStats(a)).bus.reconnects + (await clusterStats(b)).bus.reconnects >= before + 2, 30_000, 200);
      await backOnline();
    })());
    const t1 = Date.now();
    expect(answers.length).toBeGreaterThanOrEqual(4);
    expect(answers.filter((x) => x.status !== 200 || x.text !== WORD)).toEqual([]);

    // History across the restart, from the table: one point a second.
    await waitFor("history past the restart", async () => ((await historyOf(b)).at(-1) ?? 0) > t1 + 2000, 20_000, 500);
    const ts = (await historyOf(b)).filter((t) => t > t0 - 3000 && t < t1 + 2000);
    const gaps = ts.slice(1).map((t, i) => t - ts[i]!);
    expect(ts.length).toBeGreaterThan((t1 - t0) / 1000);
    expect(Math.max(...gaps), `seconds around the restart: ${ts.map((t) => (t - t0) / 1000).join(" ")}`).toBeLessThanOrEqual(2000);
    // Every request of the restart is in the shared request log.
    await waitFor("the request log caught up", async () => {
      const rows = (await (await a.api("/api/gateway/requests?limit=1000")).json()) as Array<{ ts: number; keyName: string | null }>;
      return rows.filter((r) => r.keyName === "laptop" && r.ts >= t0).length >= answers.length;
    }, 15_000, 500);

    // Messages between the servers work again: a key made on B answers on A at once.
    const made = await b.api("/api/gateway/keys", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ name: "after-restart" }) });
    const { key } = (await made.json()) as { key: string };
    await waitFor("the new key on A", async () => (await fetch(`${a.url}/v1/models`, { headers: { authorization: `Bearer ${key}` } })).status === 200, 2000, 20);
    expect(a.proc.text()).toMatch(/lost the PostgreSQL connection; reconnecting/);
    expect(a.proc.text()).toMatch(/PostgreSQL connection is back/);
  });

  it("a database away for seconds: the servers say so and retry, keep answering from memory, and come back with the history they kept", async () => {
    await waitFor("history of the box", async () => (await historyOf(b)).filter((t) => t < Date.now() - 3000).length >= 3, 20_000, 500);
    const logged = a.proc.output.length;
    const since = () => a.proc.output.slice(logged).join("");
    const t0 = Date.now();
    const answers = await trafficDuring((async () => {
      await controlCluster(runDir, "stop");
      await waitFor("A says the database is unreachable", () => /PostgreSQL is unreachable for the (bus-listen|bus-send|leader) connection/.test(since()), 20_000, 100);
      // A holds the box: its history writes fail now and are kept.
      await waitFor("A keeps history it cannot write", () => /writing telemetry history failed; rows kept/.test(since()), 20_000, 100);
      expect((await clusterStats(a)).leader || (await clusterStats(b)).leader).toBe(false);
      // Pages of the dashboard that need no database still answer; the node is still live on its holder.
      expect((await a.api("/api/health")).status).toBe(200);
      await controlCluster(runDir, "start");
      await backOnline();
    })());
    expect(answers.filter((x) => x.status !== 200)).toEqual([]);
    expect(a.proc.child.exitCode).toBeNull();
    expect(b.proc.child.exitCode).toBeNull();
    await waitFor(`${BOX} live on both again`, async () => (await nodeOn(a, BOX))?.online && (await nodeOn(b, BOX))?.online, 20_000);
    const t1 = Date.now();
    await waitFor("history written again", () => /telemetry history is written again/.test(since()), 20_000, 200);
    const ts = (await historyOf(b)).filter((t) => t > t0 - 3000 && t < t1);
    const gaps = ts.slice(1).map((t, i) => t - ts[i]!);
    expect(ts.length, `seconds around the outage: ${ts.map((t) => (t - t0) / 1000).join(" ")}`).toBeGreaterThan((t1 - t0) / 1000);
    expect(Math.max(...gaps), `seconds around the outage: ${ts.map((t) => (t - t0) / 1000).join(" ")}`).toBeLessThanOrEqual(2000);
  });
});
