/**
 * A connected (enrolled) node turned hostile: what it says must reach nothing but its own node.
 * Each test plays one attack the old hub fell for: sequential request ids any socket could answer,
 * deployment events applied to any node's deployments, GPU history keyed by UUID alone, one socket
 * saying hello under many names, unbounded ports, and telemetry large enough to stall the server.
 */
import { monitorEventLoopDelay, performance } from "node:perf_hooks";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { CLOSE_CODES, MAX_MESSAGE_BYTES } from "../../protocol/agent-wire";
import { DEPLOY_ACTIONS, DEPLOY_EVENTS } from "../../protocol/deployments";
import type { NodeHistory } from "../../protocol/live";
import { AGENT_TOKEN, waitFor } from "../helpers/processes";
import { startHubServer, type HubServer } from "../helpers/hub-server";
import { enrolledAgent, gpuSnapshot, honestDeployer, type RawAgent } from "../helpers/raw-agent";
import { gpu, snapshot } from "../helpers/samples";

describe("a hostile node against the hub", () => {
  let server: HubServer;
  let honest: RawAgent;
  let mallory: RawAgent;
  const rejections: unknown[] = [];
  const onRejection = (err: unknown) => rejections.push(err);

  beforeEach(async () => {
    process.on("unhandledRejection", onRejection);
    server = await startHubServer();
    honest = (await enrolledAgent(server.wsUrl, "honest", AGENT_TOKEN)).agent;
    mallory = (await enrolledAgent(server.wsUrl, "mallory", AGENT_TOKEN)).agent;
  });
  afterEach(async () => {
    honest.close();
    mallory.close();
    await server.close();
    process.off("unhandledRejection", onRejection);
    expect(rejections).toEqual([]);
  });

  it("cuts off a node no longer trusted, with its deployments: nothing is routed to it any more", async () => {
    honestDeployer(mallory);
    const created = await server.call("POST", "/api/deployments", { engine: "llamacpp", model: "/models/tiny.gguf", node: "mallory", gpus: "none", name: "on-mallory" });
    expect(created.status).toBe(201);
    expect(server.deployments.listRoutableBackends().map((b) => b.name)).toEqual(["on-mallory"]);

    expect((await server.call("DELETE", "/api/nodes/mallory")).status).toBe(204);
    expect((await mallory.closed).code).toBe(CLOSE_CODES.revoked);
    expect(server.fleet.get("mallory")).toBeNull();
    expect(server.deployments.list()).toEqual([]);
    expect(server.deployments.listRoutableBackends()).toEqual([]);
    expect(server.hub.remoteAddress("mallory")).toBeNull();
    expect(honest.isOpen()).toBe(true);
  });

  it("ignores answers to another socket's request, even with the right id", async () => {
    const asked = server.hub.request("honest", "deployment.list", {});
    const req = await honest.request();
    // The old ids were 1, 2, 3…: try those, and the real one, which a leak could give away.
    for (const id of ["1", "2", "3", req.id]) mallory.send({ type: "response", v: 1, id, ok: true, result: { forged: true } });
    await waitFor("the forged answers counted", () => (server.hub.stats().foreignAnswers ?? 0) >= 1);
    honest.send({ type: "response", v: 1, id: req.id, ok: true, result: { from: "honest" } });
    expect(await asked).toEqual({ from: "honest" });
    expect(req.id).toMatch(/^[A-Za-z0-9_-]{20,}$/);
  });

  it("applies deployment events only to the sender's own deployments", async () => {
    honestDeployer(honest);
    const created = await server.call("POST", "/api/deployments", { engine: "llamacpp", model: "/models/tiny.gguf", node: "honest", gpus: "none", name: "honest-llm" });
    expect(created.status).toBe(201);
    const id = created.json.id as string;
    const streamOpened = server.deployments.follow("honest-llm", 10, { lines: (l) => injected.push(...l), end: () => {} });
    const injected: string[] = [];
    const follow = await honest.request(DEPLOY_ACTIONS.follow);
    await streamOpened;

    const malformedBefore = server.hub.stats().malformed;
    mallory.send({ type: "event", v: 1, event: DEPLOY_EVENTS.state, payload: { id, name: "honest-llm", seq: 99, state: "failed", reason: "pwned", port: 4444, containerId: null } });
    mallory.send({ type: "event", v: 1, event: DEPLOY_EVENTS.announce, payload: { reports: [{ id, name: "honest-llm", seq: 99, state: "stopped", port: 4445 }], complete: true } });
    mallory.send({ type: "event", v: 1, event: DEPLOY_EVENTS.log, payload: { streamId: follow.payload.streamId, lines: ["injected by mallory"] } });
    mallory.send({ type: "event", v: 1, event: DEPLOY_EVENTS.logEnd, payload: { streamId: follow.payload.streamId, reason: "ended by mallory" } });
    // A barrier: mallory's own valid announce, applied after the events above.
    mallory.send({ type: "event", v: 1, event: DEPLOY_EVENTS.announce, payload: { reports: [], complete: true } });
    honest.send({ type: "event", v: 1, event: DEPLOY_EVENTS.log, payload: { streamId: follow.payload.streamId, lines: ["from honest"] } });
    await waitFor("the honest line", () => injected.includes("from honest"));

    const after = server.deployments.get("honest-llm");
    expect(after).toMatchObject({ node: "honest", state: "ready", port: 18080, reason: null });
    expect(injected).toEqual(["from honest"]);
    expect(server.hub.stats().malformed).toBe(malformedBefore);
  });

  it("keeps a node's GPU history its own when another node reports the same GPU UUIDs", async () => {
    const uuids = ["GPU-honest-0", "GPU-honest-1"];
    const now = Date.now();
    honest.telemetry([{ ts: now - 2000, snapshot: gpuSnapshot(uuids, 1111) }, { ts: now - 1000, snapshot: gpuSnapshot(uuids, 1111) }]);
    await waitFor("honest's GPUs", () => server.fleet.get("honest")?.gpus.length === 2);
    // Same UUIDs, same seconds, other values: the old key (UUID, resolution, ts) overwrote honest's rows.
    mallory.telemetry([{ ts: now - 2000, snapshot: gpuSnapshot(uuids, 9999) }, { ts: now - 1000, snapshot: gpuSnapshot(uuids, 9999) }]);
    await waitFor("mallory's GPUs", () => server.fleet.get("mallory")?.gpus.length === 2);

    const res = await server.call("GET", "/api/nodes/honest/history?range=5m");
    const history = res.json as NodeHistory;
    const values = history.gpus.flatMap((g) => g.points.map((p) => p.memUsedMiB));
    expect(values.length).toBeGreaterThanOrEqual(4);
    expect(new Set(values)).toEqual(new Set([1111]));
    const theirs = (await server.call("GET", "/api/nodes/mallory/history?range=5m")).json as NodeHistory;
    expect(new Set(theirs.gpus.flatMap((g) => g.points.map((p) => p.memUsedMiB)))).toEqual(new Set([9999]));
  });

  it("keeps no sample dated in the future, whether by a lying sentAt or by samples out of order", async () => {
    const uuids = ["GPU-mallory-0"];
    const now = Date.now();
    const day = 86_400_000;
    const before = server.hub.stats().malformed;
    // sentAt a day behind its samples: the skew correction would move them a day ahead.
    mallory.send({ type: "telemetry", v: 1, sentAt: now - day, samples: [{ ts: now - 1000, snapshot: gpuSnapshot(uuids, 6666) }] });
    // No sentAt, the newest last in place but an older-looking one dated a day ahead.
    mallory.telemetry([{ ts: now + day, snapshot: gpuSnapshot(uuids, 6666) }, { ts: now, snapshot: gpuSnapshot(uuids, 1234) }]);
    await waitFor("both lies counted", () => server.hub.stats().malformed >= before + 2);
    await waitFor("the honest sample kept", () => server.fleet.get("mallory")?.gpus.length === 1);

    const history = (await server.call("GET", "/api/nodes/mallory/history?range=5m")).json as NodeHistory;
    const points = history.gpus.flatMap((g) => g.points);
    expect(points.map((p) => p.memUsedMiB)).toEqual([1234]);
    expect(points.every((p) => p.ts <= Date.now())).toBe(true);
  });

  it("lets one socket speak for one node only: a second hello closes it and creates nothing", async () => {
    const { agent } = await enrolledAgent(server.wsUrl, "haunted", AGENT_TOKEN);
    for (let i = 0; i < 20; i++) agent.hello(`ghost-${i}`);
    expect((await agent.closed).code).toBe(CLOSE_CODES.oneNodePerSocket);
    await waitFor("haunted offline", () => server.fleet.get("haunted")?.online === false);
    expect(server.fleet.list().map((n) => n.name).filter((n) => n.startsWith("ghost-"))).toEqual([]);
    expect(server.fleet.get("haunted")?.online).toBe(false);
  });

  it("drops a deployment report with port 70000 (no health check ever sees it)", async () => {
    honestDeployer(honest);
    const created = await server.call("POST", "/api/deployments", { engine: "llamacpp", model: "/models/tiny.gguf", node: "honest", gpus: "none", name: "porty" });
    const before = server.hub.stats().malformed;
    honest.send({ type: "event", v: 1, event: DEPLOY_EVENTS.state, payload: { id: created.json.id, name: "porty", seq: 5, state: "ready", port: 70000, containerId: "c" } });
    await waitFor("the report dropped", () => server.hub.stats().malformed === before + 1);
    expect(server.deployments.get("porty").port).toBe(18080);
    expect(server.deployments.listRoutableBackends().map((b) => new URL(b.url).port)).toEqual(["18080"]);
  });

  it("closes a socket sending more than the message limit, and keeps serving others", async () => {
    const huge = JSON.stringify({ type: "telemetry", v: 1, samples: [{ ts: Date.now(), snapshot: { ...snapshot(), warnings: ["x".repeat(MAX_MESSAGE_BYTES)] } }] });
    mallory.send(huge);
    expect((await mallory.closed).code).toBe(1009);
    expect(server.hub.stats().oversized).toBe(1);
    honest.telemetry([{ ts: Date.now(), snapshot: gpuSnapshot(["GPU-h"], 5) }]);
    await waitFor("honest still heard", () => server.fleet.get("honest")?.gpus[0]?.memUsedMiB === 5);
  });

  it("processes large valid telemetry without blocking the event loop, and refuses the old-size messages that blocked it", async () => {
    // What the old limits accepted: 600 samples of 64 GPUs (≈ 8 MB), parsed and checked in one go.
    const many = Array.from({ length: 64 }, (_, i) => gpu(i, { uuid: `GPU-big-${i}` }));
    const oldMax = JSON.stringify({ type: "telemetry", v: 1, samples: Array.from({ length: 600 }, (_, i) => ({ ts: Date.now() - (600 - i) * 1000, snapshot: snapshot({ gpus: many }) })) });
    // About the largest the new limits take: 300 samples of 16 GPUs in one message.
    const gpus = Array.from({ length: 16 }, (_, i) => gpu(i, { uuid: `GPU-honest-${i}` }));
    const now = Date.now();
    const samples = Array.from({ length: 300 }, (_, i) => ({ ts: now - (300 - i) * 1000, snapshot: snapshot({ gpus }) }));
    const newMax = JSON.stringify({ type: "telemetry", v: 1, samples });
    expect(newMax.length).toBeLessThan(MAX_MESSAGE_BYTES);
    expect(newMax.length).toBeGreaterThan(MAX_MESSAGE_BYTES * 0.8);

    // The machine's speed right now, in one JSON.parse of that message (≈ 5 ms on an idle core):
    // the bound scales with it, so a loaded shared machine does not fail the test, while the old
    // hub (one block of 600-800 ms for the old-size message here, over 50 such parses) still does.
    const parses: number[] = [];
    for (let i = 0; i < 5; i++) {
      const t = performance.now();
      JSON.parse(newMax);
      parses.push(performance.now() - t);
    }
    const parseMs = parses.sort((a, b) => a - b)[2]!;
    // A server that has been running: its code paths compiled, its statements prepared.
    honest.telemetry(samples.slice(0, 20));
    await waitFor("warm", async () => ((await server.call("GET", "/api/nodes/honest/history?range=5m")).json as NodeHistory).gpus.length === 16);

    const delay = monitorEventLoopDelay({ resolution: 5 });
    delay.enable();
    mallory.send(oldMax);
    for (let i = 0; i < 4; i++) honest.send(newMax);
    await waitFor("the honest backlog stored", async () => {
      const h = (await server.call("GET", "/api/nodes/honest/history?range=5m")).json as NodeHistory;
      return h.gpus.length === 16 && h.gpus[15]!.points.length >= 290;
    }, 60_000, 50);
    delay.disable();
    const maxMs = delay.max / 1e6;
    const boundMs = Math.max(250, 25 * parseMs);
    process.stdout.write(`event loop delay while ingesting: max ${maxMs.toFixed(1)} ms, p99 ${(delay.percentile(99) / 1e6).toFixed(1)} ms (bound ${boundMs.toFixed(0)} ms; one parse ${parseMs.toFixed(1)} ms)\n`);
    expect(maxMs).toBeLessThan(boundMs);
    expect((await mallory.closed).code).toBe(1009);
  });
});
