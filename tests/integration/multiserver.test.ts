/**
 * Three real servers on one PostgreSQL database acting as one control plane, with real agents (the
 * stand-in nvidia-smi), the real Docker Engine and a real llama.cpp deployment: every server shows
 * every agent live; a deploy, logs and logs -f asked on one server reach the agent held by another;
 * gateway keys and routes made on one server work on the others at once, and so does a sign-out;
 * alerts go out once; and
 * when the server that leads and holds the agent is killed, another leads, the agent is back on
 * another server within 10 s with no gap in its history, and its deployment stays managed.
 */
import { spawn } from "node:child_process";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DeploymentView } from "../../protocol/deployments";
import type { NodeHistory } from "../../protocol/live";
import { writeTinyLlamaGguf } from "../fixtures/gguf/writer";
import { httpSink, type HttpSink } from "../helpers/alert-sinks";
import { clusterServer, clusterStats, liveView, nodeOn } from "../helpers/cluster-servers";
import { postgresDatabase, skipReason } from "../helpers/databases";
import { nodeContainers, runCli } from "../helpers/deploy";
import { TEST_IMAGE, cleanupContainers, containerExists, dockerSkipReason } from "../helpers/docker";
import { ADMIN_TOKEN, ROOT, startAgent, waitFor, type Proc, type TestServer } from "../helpers/processes";
import { holdsFor } from "../helpers/wait";

const PREFIX = `multiserver-${process.pid}`;
const BOX = `${PREFIX}-box`;
const GONE = `${PREFIX}-gone`;
const WORD = "Pong";
const skip = skipReason("postgres") ?? (await dockerSkipReason());

describe.skipIf(skip !== null)(`three servers on one database${skip ? ` (skipped: ${skip})` : ""}`, () => {
  let dir: string;
  let model: string;
  let sink: HttpSink;
  let a: TestServer;
  let b: TestServer;
  let c: TestServer;
  let box: Proc;
  const procs: Proc[] = [];
  const servers = () => [a, b, c];

  const view = async (s: TestServer, name: string) => (await (await s.api(`/api/deployments/${name}`)).json()) as DeploymentView;
  const gateway = (s: TestServer, key: string, model: string) => fetch(`${s.url}/v1/chat/completions`, {
    method: "POST",
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    body: JSON.stringify({ model, messages: [{ role: "user", content: "Say something" }], max_tokens: 8 }),
  });
  const answer = async (res: Response) => {
    expect(res.status, await res.clone().text()).toBe(200);
    return ((await res.json()) as { choices: Array<{ message: { content: string } }> }).choices[0]!.message.content.trim();
  };

  beforeAll(async () => {
    await cleanupContainers({ "switchyard.node": BOX });
    dir = await fs.mkdtemp(path.join(os.tmpdir(), "switchyard-multiserver-"));
    model = path.join(dir, "tiny.gguf");
    await writeTinyLlamaGguf(model, { deterministicWord: WORD });
    sink = await httpSink();
    const { url } = await postgresDatabase();
    const configYaml = `
alerts:
  channels:
    - {name: hook, url: "${sink.url}/hook"}
  rules:
    - {when: node-offline, for: 1s, nodes: ["${GONE}"], notify: [hook]}
`;
    // A first, so that it leads; a loaded shared machine can delay a sample by seconds. History is
    // written every 6 s (not 2): a killed server then holds seconds of samples it never wrote.
    const env = { SWITCHYARD_OFFLINE_AFTER_S: "5", SWITCHYARD_HISTORY_FLUSH_TEST_MS: "6000", LOG_LEVEL: "info" };
    a = await clusterServer(url, { configYaml, env });
    await waitFor("A leads", async () => (await clusterStats(a)).leader, 20_000);
    [b, c] = await Promise.all([clusterServer(url, { configYaml, env }), clusterServer(url, { configYaml, env })]);
    box = startAgent({
      server: [a.url, b.url, c.url].join(","), name: BOX, gpus: "h100,rtx-4080-super",
      env: { SWITCHYARD_PORT_RANGE: "28600-28649" },
    });
    procs.push(box);
    await waitFor(`${BOX} online on A`, async () => (await nodeOn(a, BOX))?.online, 30_000);
  }, 180_000);

  afterAll(async () => {
    await Promise.all(procs.map((p) => p.stop()));
    await Promise.all(servers().map((s) => s?.stop()));
    await cleanupContainers({ "switchyard.node": BOX });
    await sink?.close();
    await fs.rm(dir, { recursive: true, force: true });
    await (await postgresDatabase()).drop();
  });

  it("every server shows the agent connected to one of them, live", async () => {
    expect((await clusterStats(a)).leader).toBe(true);
    expect((await Promise.all([b, c].map(clusterStats))).map((s) => s.leader)).toEqual([false, false]);
    for (const s of [b, c]) {
      const n = await waitFor(`${BOX} on ${s.url}`, async () => {
        const found = await nodeOn(s, BOX);
        return found?.online && found.gpus.length === 2 ? found : null;
      }, 10_000);
      expect(n.gpus.map((g) => g.name)).toEqual(["NVIDIA H100 80GB HBM3", "NVIDIA GeForce RTX 4080 SUPER"]);
    }
    // The dashboard's live socket on C gets A's agent's samples as they come.
    const live = await liveView(c);
    try {
      const snapshot = await waitFor("the snapshot", () => live.messages.find((m) => m.type === "snapshot"));
      expect(snapshot.type === "snapshot" && snapshot.nodes.find((n) => n.name === BOX)?.online).toBe(true);
      await waitFor("three live samples of the box on C", () => live.messages.filter((m) => m.type === "node" && m.node.name === BOX && m.sampleTs !== null).length >= 3, 10_000);
    } finally {
      live.close();
    }
  });

  it("a deploy asked on B runs on the node A holds; logs and logs -f through C", async () => {
    const r = await runCli(b, ["deploy", "llamacpp", model, "--name", "tiny", "--node", BOX, "--gpus", "none", "--image", TEST_IMAGE, "--ctx", "2048"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^tiny is ready on ${BOX}`));
    for (const s of servers()) {
      await waitFor(`tiny ready as seen by ${s.url}`, async () => {
        const v = await view(s, "tiny");
        return v.state === "ready" && v.nodeOnline && v.endpoint?.startsWith("http://127.0.0.1:28");
      }, 10_000);
    }
    expect(await nodeContainers(BOX)).toHaveLength(1);

    const logs = await runCli(c, ["logs", "tiny", "--tail", "50"]);
    expect(logs.code, logs.stderr).toBe(0);
    expect(logs.stdout).toMatch(/listening on http:\/\/0\.0\.0\.0:8080/);

    const follow = spawn(process.execPath, [path.join(ROOT, "bin", "switchyard.mjs"), "logs", "tiny", "-f", "--tail", "0"], {
      env: { ...process.env, SWITCHYARD_URL: c.url, SWITCHYARD_TOKEN: ADMIN_TOKEN }, stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    follow.stdout.on("data", (d: Buffer) => (out += d.toString()));
    const endpoint = (await view(c, "tiny")).endpoint!;
    try {
      await waitFor("live log lines through C", async () => {
        await fetch(`${endpoint}/v1/chat/completions`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ model: "tiny", messages: [{ role: "user", content: "hi" }], max_tokens: 4 }) });
        return /print_timing|release/.test(out);
      }, 20_000, 500);
    } finally {
      follow.kill("SIGINT");
    }
    await waitFor("the relayed stream closed on A and C", async () => {
      const stats = await Promise.all([a, c].map(clusterStats));
      return stats[0]!.relay.streamsOut === 0 && stats[1]!.relay.streamsIn === 0;
    }, 10_000);
  });

  it("gateway keys and routes made on one server work on the others at once; a revoked key stops everywhere", async () => {
    const made = await a.api("/api/gateway/keys", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ name: "laptop" }) });
    expect(made.status).toBe(201);
    const { key } = (await made.json()) as { key: string };
    expect(await answer(await waitFor("the key on B", async () => {
      const res = await gateway(b, key, "tiny");
      return res.status === 200 ? res : null;
    }, 2000, 20))).toBe(WORD);

    const route = await a.api("/api/gateway/routes", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ model: "team-model", targets: ["tiny/tiny"] }) });
    expect(route.status).toBe(201);
    expect(await answer(await waitFor("the route on C", async () => {
      const res = await gateway(c, key, "team-model");
      return res.status === 200 ? res : null;
    }, 2000, 20))).toBe(WORD);

    const keys = (await (await b.api("/api/gateway/keys")).json()) as Array<{ id: string; name: string; requests: number }>;
    const laptop = keys.find((k) => k.name === "laptop")!;
    expect((await b.api(`/api/gateway/keys/${laptop.id}`, { method: "DELETE" })).status).toBe(200);
    await waitFor("the revoked key refused on C", async () => (await gateway(c, key, "tiny")).status === 401, 2000, 20);
    // Usage counted on B and C is one shared count, and the request log is one log.
    await waitFor("usage of both servers in the list on A", async () => {
      const list = (await (await a.api("/api/gateway/keys")).json()) as Array<{ name: string; requests: number }>;
      return (list.find((k) => k.name === "laptop")?.requests ?? 0) >= 2;
    }, 15_000, 500);
    await waitFor("both requests in the log read on A", async () => {
      const log = (await (await a.api("/api/gateway/requests?limit=50")).json()) as Array<{ keyName: string | null; status: number }>;
      return log.filter((r) => r.keyName === "laptop" && r.status === 200).length >= 2;
    }, 10_000, 500);
  });

  it("a sign-in works on every server, and a sign-out on one ends it on the others at once", async () => {
    const signIn = await fetch(`${a.url}/api/session`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ token: ADMIN_TOKEN }) });
    expect(signIn.status).toBe(204);
    const cookie = signIn.headers.get("set-cookie")!.split(";")[0]!;
    const nodesWith = (s: TestServer) => fetch(`${s.url}/api/nodes`, { headers: { cookie } });
    // B and C check the session once and then remember it (for seconds, not on every request).
    for (const s of [b, c]) expect((await nodesWith(s)).status).toBe(200);
    expect((await fetch(`${b.url}/api/session`, { method: "DELETE", headers: { cookie } })).status).toBe(204);
    for (const s of [a, c]) await waitFor(`signed out on ${s.url}`, async () => (await nodesWith(s)).status === 401, 1000, 20);
  });

  it("alerts go out once, however many servers see the node go", async () => {
    const gone = startAgent({ server: b.url, name: GONE, gpus: "h100" });
    procs.push(gone);
    await waitFor(`${GONE} online on A (the leader)`, async () => (await nodeOn(a, GONE))?.online, 30_000);
    await gone.stop("SIGKILL");
    const firing = () => sink.at("/hook").map((r) => r.json!).filter((j) => j.rule === "node-offline" && j.state === "firing");
    await waitFor("the node-offline notice", () => firing().length === 1, 20_000);
    await holdsFor("one notice only", () => firing().length === 1, 3000);
  });

  it("the leading server killed: another leads, the agent is back on another server within 10 s, no gap in history, the deployment stays managed", async () => {
    expect((await clusterStats(a)).leader).toBe(true);
    const historyOn = async (s: TestServer) => ((await (await s.api(`/api/nodes/${BOX}/history?range=5m`)).json()) as NodeHistory).gpus[0]?.points.map((p) => p.ts) ?? [];
    // A has written history for a while (C reads the table), and holds up to 6 s it has not written yet.
    await waitFor("A's history of the box, 10 s of it", async () => (await historyOn(c)).some((t) => t < Date.now() - 10_000), 30_000, 500);
    const t0 = Date.now();
    await a.proc.stop("SIGKILL");
    const moved = await waitFor("the box back on B or C", async () => {
      for (const s of [b, c]) {
        const stats = (await (await s.api("/api/stats")).json()) as { connected: number };
        const n = await nodeOn(s, BOX);
        if (stats.connected > 0 && n?.online && (n.lastSeen ?? 0) > t0) return Date.now() - t0;
      }
      return null;
    }, 15_000, 100);
    expect(moved).toBeLessThan(10_000);
    await waitFor("B or C leads", async () => (await Promise.all([b, c].map(clusterStats))).some((s) => s.leader), 10_000);

    // History on C: one point a second through the kill (the agent sent the last seconds again).
    await waitFor("history written past the move", async () => ((await historyOn(c)).at(-1) ?? 0) > t0 + 4000, 30_000, 500);
    const ts = (await historyOn(c)).filter((t) => t > t0 - 10_000 && t < t0 + 4000);
    const gaps = ts.slice(1).map((t, i) => t - ts[i]!);
    const around = `seconds around the kill: ${ts.map((t) => (t - t0) / 1000).join(" ")}`;
    expect(ts[0]! - t0, around).toBeLessThan(-8000);
    expect(Math.max(...gaps), around).toBeLessThanOrEqual(2000);

    // Still managed: ready on every live server, answering through their gateways, stopped from C.
    const v = await waitFor("tiny confirmed by the new holder", async () => {
      const x = await view(b, "tiny");
      return x.state === "ready" && x.nodeOnline ? x : null;
    }, 20_000);
    const [container] = await nodeContainers(BOX);
    const stop = await runCli(c, ["stop", "tiny"]);
    expect(stop.code, stop.stderr).toBe(0);
    expect(stop.stdout).toMatch(/tiny stopped and removed/);
    expect(await containerExists(container!.Id)).toBe(false);
    await waitFor("gone from B's list too", async () => ((await (await b.api("/api/deployments")).json()) as DeploymentView[]).length === 0, 5000);
    expect(v.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:28/);
  });
});
