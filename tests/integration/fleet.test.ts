/**
 * The whole telemetry path on real components: a real server process, real agent processes
 * reading the stand-in nvidia-smi (replaying real captures), real sockets, and the server's state in
 * a real SQLite file or a real PostgreSQL database (the run's throwaway cluster).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import type { LiveMessage, NodeHistory, NodeView } from "../../protocol/live";
import { TEST_DIALECTS, skipReason, useDatabases } from "../helpers/databases";
import { ADMIN_TOKEN, AGENT_TOKEN, startAgent, startServer, waitFor, type Proc, type TestServer } from "../helpers/processes";

async function nodes(server: TestServer): Promise<NodeView[]> {
  const res = await server.api("/api/nodes");
  expect(res.status).toBe(200);
  return (await res.json()) as NodeView[];
}

async function node(server: TestServer, name: string): Promise<NodeView | undefined> {
  return (await nodes(server)).find((n) => n.name === name);
}

/** Opens a socket, collecting messages from the start: the first can arrive with the upgrade. */
function openWs(url: string, headers: Record<string, string>): Promise<{ ws: WebSocket; status: number | null; messages: unknown[] }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    const messages: unknown[] = [];
    ws.on("message", (d) => messages.push(JSON.parse(d.toString())));
    ws.once("open", () => resolve({ ws, status: 101, messages }));
    ws.once("unexpected-response", (_req, res) => resolve({ ws, status: res.statusCode ?? null, messages }));
    ws.once("error", reject);
  });
}

for (const dialect of TEST_DIALECTS) describe.skipIf(skipReason(dialect))(`fleet telemetry end to end on ${dialect}`, () => {
  const databases = useDatabases(dialect);
  let server: TestServer;
  let agentA: Proc;
  let env: Record<string, string> = {};
  const agents: Proc[] = [];

  beforeAll(async () => {
    const target = await databases.target();
    env = target.databaseUrl ? { SWITCHYARD_DATABASE_URL: target.databaseUrl } : {};
    server = await startServer({ dataDir: target.dataDir, env });
    agentA = startAgent({ server: server.url, name: "box-a", gpus: "h100,rtx-4080-super,rtx-4080-super" });
    agents.push(agentA);
  });

  afterAll(async () => {
    await Promise.all(agents.map((a) => a.stop()));
    await server?.stop();
  });

  it("shows the agent's GPUs, processes and host through the API", async () => {
    const n = await waitFor("box-a online with 3 GPUs", async () => {
      const found = await node(server, "box-a");
      return found?.online && found.gpus.length === 3 && found.host ? found : null;
    }, 30_000);
    expect(n.gpus.map((g) => g.name)).toEqual(["NVIDIA H100 80GB HBM3", "NVIDIA GeForce RTX 4080 SUPER", "NVIDIA GeForce RTX 4080 SUPER"]);
    expect(n.gpus.map((g) => g.index)).toEqual([0, 1, 2]);
    expect(new Set(n.gpus.map((g) => g.uuid)).size).toBe(3);
    expect(n.gpus[0]!.memTotalMiB).toBe(81559);
    expect(n.gpus[1]!.memTotalMiB).toBeGreaterThan(16000);
    expect(n.driver?.version).toMatch(/^\d+\.\d+/);
    expect(n.host?.hostname).toBeTruthy();
    expect(n.host?.memTotalBytes).toBeGreaterThan(0);
    expect(n.warnings).toEqual([]);
  });

  it("keeps values moving every second", async () => {
    const fingerprint = async () => JSON.stringify((await node(server, "box-a"))?.gpus.map((g) => [g.utilGpuPct, g.memUsedMiB, g.powerW, g.tempC]));
    const before = await fingerprint();
    await waitFor("GPU values to change", async () => (await fingerprint()) !== before, 10_000, 500);
  });

  it("refuses a wrong enrollment token before the upgrade, and the agent says why", async () => {
    const raw = await openWs(`${server.url.replace("http", "ws")}/ws/agent`, { authorization: "Bearer wrong-token" });
    expect(raw.status).toBe(401);
    const bad = startAgent({ server: server.url, name: "intruder", token: "wrong-token" });
    agents.push(bad);
    await waitFor("the agent to report the refusal", () => /refused the agent \(HTTP 401\)/.test(bad.text()), 15_000);
    expect(await node(server, "intruder")).toBeUndefined();
    await bad.stop();
  });

  it("counts and drops malformed agent messages while the connection survives", async () => {
    const { ws, status } = await openWs(`${server.url.replace("http", "ws")}/ws/agent`, { authorization: `Bearer ${AGENT_TOKEN}` });
    expect(status).toBe(101);
    const statsBefore = (await (await server.api("/api/stats")).json()) as { malformed: number };
    ws.send(JSON.stringify({ type: "hello", v: 1, agentVersion: "test", node: "raw-box", facts: { hostname: "raw", os: "linux", arch: "x64", cpuModel: null, cpuCores: 1, memTotalBytes: 1 } }));
    ws.send("{not json");
    ws.send(JSON.stringify({ type: "telemetry", v: 1, samples: [{ ts: Date.now(), snapshot: { gpus: "nope" } }] }));
    ws.send(JSON.stringify({ type: "bogus", v: 1 }));
    const snapshot = { host: { hostname: "raw", cpuPct: 1, memUsedBytes: 1, memTotalBytes: 2 }, driver: { version: null, cuda: null }, gpus: [{ index: 0, uuid: "GPU-raw-0", name: "Raw GPU", memTotalMiB: 100, memUsedMiB: 42, utilGpuPct: null, tempC: null, powerW: null, powerLimitW: null }], processes: [], warnings: [] };
    ws.send(JSON.stringify({ type: "telemetry", v: 1, samples: [{ ts: Date.now(), snapshot }] }));
    const n = await waitFor("raw-box telemetry after bad messages", async () => {
      const found = await node(server, "raw-box");
      return found?.gpus[0]?.memUsedMiB === 42 ? found : null;
    });
    expect(n.gpus[0]!.utilGpuPct).toBeNull();
    const stats = (await (await server.api("/api/stats")).json()) as { malformed: number };
    expect(stats.malformed - statsBefore.malformed).toBe(3);
    expect(ws.readyState).toBe(WebSocket.OPEN);
    ws.close();
  });

  it("streams node updates to a signed-in dashboard over /ws/live, and refuses others", async () => {
    const liveUrl = `${server.url.replace("http", "ws")}/ws/live`;
    expect((await openWs(liveUrl, {})).status).toBe(401);
    const login = await fetch(`${server.url}/api/session`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ token: ADMIN_TOKEN }) });
    const cookie = (login.headers.get("set-cookie") ?? "").split(";")[0]!;
    const opened = await openWs(liveUrl, { cookie });
    const { ws } = opened;
    expect(opened.status).toBe(101);
    const messages = opened.messages as LiveMessage[];
    await waitFor("a snapshot and a node update for box-a", () =>
      messages[0]?.type === "snapshot" && messages.some((m) => m.type === "node" && m.node.name === "box-a" && m.sampleTs !== null));
    const update = messages.find((m) => m.type === "node" && m.node.name === "box-a");
    expect(update?.type === "node" && update.node.gpus).toHaveLength(3);
    ws.close();
  });

  it("shows driver trouble as a warning on the node, with the agent still running", async () => {
    const broken = startAgent({ server: server.url, name: "box-broken", env: { SWITCHYARD_STANDIN_FAULT: "nvml-mismatch" } });
    agents.push(broken);
    const n = await waitFor("box-broken online with a warning", async () => {
      const found = await node(server, "box-broken");
      return found?.online && found.warnings.length > 0 ? found : null;
    }, 30_000);
    expect(n.gpus).toEqual([]);
    expect(n.warnings.join(" ")).toMatch(/version mismatch/i);
    // It keeps reporting (host stats, the warning) for a few seconds more: it neither crashed nor spun out.
    await waitFor("box-broken to keep reporting for 3 s", async () => ((await node(server, "box-broken"))?.lastSeen ?? 0) >= n.lastSeen! + 3000, 20_000);
    expect(broken.child.exitCode).toBeNull();
    expect((await node(server, "box-broken"))?.online).toBe(true);
    await broken.stop();
  });

  it("lets a restarted agent with the same name take over without the node going offline", async () => {
    const first = startAgent({ server: server.url, name: "box-twin", gpus: "rtx-2080-super" });
    agents.push(first);
    await waitFor("box-twin online", async () => (await node(server, "box-twin"))?.online, 30_000);
    const second = startAgent({ server: server.url, name: "box-twin", gpus: "rtx-2080-super" });
    agents.push(second);
    await waitFor("the first agent to be told it was replaced", () => /same --name/.test(first.text()), 20_000);
    await first.stop();
    const stoppedAt = Date.now();
    await waitFor("a sample from the second agent well after the first left", async () => ((await node(server, "box-twin"))?.lastSeen ?? 0) > stoppedAt + 1000, 20_000);
    expect((await node(server, "box-twin"))?.online).toBe(true);
    expect((await nodes(server)).filter((n) => n.name === "box-twin")).toHaveLength(1);
    await second.stop();
  });

  it("shows a killed agent's node offline within 5 seconds", async () => {
    const b = startAgent({ server: server.url, name: "box-b", gpus: "rtx-2080-super" });
    agents.push(b);
    await waitFor("box-b online", async () => (await node(server, "box-b"))?.online, 30_000);
    const killedAt = Date.now();
    b.child.kill("SIGKILL");
    await waitFor("box-b offline", async () => (await node(server, "box-b"))?.online === false, 5_000, 100);
    expect(Date.now() - killedAt).toBeLessThanOrEqual(5_000);
  });

  it("keeps inventory and history across a server restart, and the agent backfills the gap", async () => {
    const before = (await (await server.api("/api/nodes/box-a/history?range=5m")).json()) as NodeHistory;
    expect(before.gpus[0]!.points.length).toBeGreaterThan(2);
    const firstTs = before.gpus[0]!.points[0]!.ts;

    await server.stop();
    const downFrom = Date.now();
    // Not a wait for an event: the length of the outage the agent has to bridge (three samples).
    await new Promise((r) => setTimeout(r, 3000));
    const downTo = Date.now();
    server = await startServer({ dataDir: server.dataDir, port: server.port, env });

    // Inventory straight from disk, before the agent is back.
    const restored = await node(server, "box-a");
    expect(restored?.gpus).toHaveLength(3);
    expect(restored?.gpus[0]!.name).toBe("NVIDIA H100 80GB HBM3");
    expect((await node(server, "box-b"))?.online).toBe(false);

    await waitFor("box-a back online", async () => (await node(server, "box-a"))?.online, 40_000, 250);
    const after = await waitFor("history with the backlog", async () => {
      const h = (await (await server.api("/api/nodes/box-a/history?range=5m")).json()) as NodeHistory;
      const pts = h.gpus[0]!.points;
      return pts.some((p) => p.ts > downFrom + 500 && p.ts < downTo - 500) ? h : null;
    }, 20_000, 500);
    expect(after.gpus[0]!.points[0]!.ts).toBeLessThanOrEqual(firstTs);
  });
});
