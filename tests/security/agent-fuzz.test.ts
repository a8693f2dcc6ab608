/**
 * Generated hostile input (fast-check) against the hub over real sockets: thousands of agent
 * messages from an enrolled node gone bad, mixing garbage with near-valid messages aimed at an
 * honest node (its GPU UUIDs, its deployment, its request ids, its name); hostile upgrade headers;
 * hostile enrollment API bodies. Nothing may crash, reject unhandled, answer 5xx, or change what
 * the honest node reported.
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEPLOY_ACTIONS, DEPLOY_EVENTS, DEPLOYMENT_STATES } from "../../protocol/deployments";
import type { NodeHistory } from "../../protocol/live";
import { AGENT_TOKEN, waitFor } from "../helpers/processes";
import { startHubServer, type HubServer } from "../helpers/hub-server";
import { FACTS, dialAgent, enrolledAgent, gpuSnapshot, honestDeployer, type RawAgent } from "../helpers/raw-agent";

const HONEST_UUIDS = ["GPU-honest-0", "GPU-honest-1"];
const HONEST_MIB = 4242;
const SEED = 20261207;

/** Near-valid messages aimed at the honest node, and plain garbage. */
function hostileMessage(deploymentId: string): fc.Arbitrary<unknown> {
  const name = fc.oneof(fc.constantFrom("honest", "mallory", "ghost", ""), fc.string({ maxLength: 300 }));
  const uuid = fc.oneof(fc.constantFrom(...HONEST_UUIDS), fc.string({ maxLength: 200 }));
  const num = fc.oneof(fc.integer({ min: -1e9, max: 1e12 }), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.constant(null));
  const v = fc.constantFrom<unknown>(1, 1, 1, 2, "1", null);
  const gpu = fc.record({
    index: fc.integer({ min: -5, max: 2000 }), uuid, name: fc.string({ maxLength: 300 }),
    memTotalMiB: num, memUsedMiB: num, utilGpuPct: num, tempC: num, powerW: num, powerLimitW: num,
  });
  const snapshot = fc.record({
    host: fc.record({ hostname: fc.string(), cpuPct: num, memUsedBytes: num, memTotalBytes: num }),
    driver: fc.record({ version: fc.option(fc.string()), cuda: fc.option(fc.string()) }),
    gpus: fc.array(gpu, { maxLength: 70 }),
    processes: fc.array(fc.record({ gpuUuid: uuid, pid: fc.integer({ min: -1, max: 2 ** 33 }), name: fc.string(), usedMiB: num }), { maxLength: 5 }),
    warnings: fc.array(fc.string(), { maxLength: 3 }),
  });
  const ts = fc.oneof(fc.constant(Date.now()), fc.integer({ min: -1, max: 2 ** 53 }), fc.double({ noNaN: true, noDefaultInfinity: true }));
  const report = fc.record({
    id: fc.oneof(fc.constant(deploymentId), fc.string({ maxLength: 80 })), name: name, seq: fc.integer({ min: -1, max: 2 ** 40 }),
    state: fc.oneof(fc.constantFrom(...DEPLOYMENT_STATES), fc.string()), port: fc.oneof(fc.integer({ min: -10, max: 200_000 }), fc.constant(null)),
    containerId: fc.option(fc.string({ maxLength: 200 })), reason: fc.option(fc.string({ maxLength: 5000 })),
  }, { requiredKeys: ["id"] });
  const event = fc.oneof(fc.constantFrom(...Object.values(DEPLOY_EVENTS)), fc.string({ maxLength: 80 }));
  const payload = fc.oneof(report, fc.record({ reports: fc.array(report, { maxLength: 5 }), complete: fc.boolean() }),
    fc.record({ streamId: fc.string(), lines: fc.array(fc.string(), { maxLength: 5 }) }), fc.jsonValue());
  return fc.oneof(
    fc.record({ type: fc.constant("hello"), v, agentVersion: fc.string(), node: name, facts: fc.oneof(fc.constant(FACTS), fc.jsonValue()) }),
    fc.record({ type: fc.constant("telemetry"), v, samples: fc.array(fc.record({ ts, snapshot }), { minLength: 0, maxLength: 4 }) }),
    fc.record({ type: fc.constant("response"), v, id: fc.oneof(fc.nat({ max: 50 }).map(String), fc.base64String({ maxLength: 40 })), ok: fc.boolean(), result: fc.jsonValue() }),
    fc.record({ type: fc.constant("event"), v, event, payload }),
    fc.jsonValue(),
    fc.string({ maxLength: 200 }).map((s) => ({ raw: s })),
  );
}

describe("generated hostile agent input", () => {
  let server: HubServer;
  let honest: RawAgent;
  let deploymentId: string;
  const rejections: unknown[] = [];
  const onRejection = (err: unknown) => rejections.push(err);

  beforeAll(async () => {
    process.on("unhandledRejection", onRejection);
    server = await startHubServer();
    honest = (await enrolledAgent(server.wsUrl, "honest", AGENT_TOKEN)).agent;
    // A list request is left pending: the test answers it itself, after the flood.
    honestDeployer(honest, [DEPLOY_ACTIONS.list]);
    const created = await server.call("POST", "/api/deployments", { engine: "llamacpp", model: "/models/tiny.gguf", node: "honest", gpus: "none", name: "honest-llm" });
    deploymentId = created.json.id;
    honest.telemetry([{ ts: Date.now(), snapshot: gpuSnapshot(HONEST_UUIDS, HONEST_MIB) }]);
    await waitFor("honest online", () => server.fleet.get("honest")?.gpus.length === 2);
  });
  afterAll(async () => {
    honest?.close();
    await server?.close();
    process.off("unhandledRejection", onRejection);
  });

  it("survives thousands of hostile messages from an enrolled node with the honest node's data intact", async () => {
    const { credential } = await enrolledAgent(server.wsUrl, "mallory", AGENT_TOKEN).then((x) => (x.agent.close(), x));
    const messages = fc.sample(hostileMessage(deploymentId), { numRuns: 3000, seed: SEED });
    let mallory: RawAgent | null = null;
    let reconnects = 0;
    const stream = setInterval(() => honest.telemetry([{ ts: Date.now(), snapshot: gpuSnapshot(HONEST_UUIDS, HONEST_MIB) }]), 100);
    // A pending request to the honest node: no forged answer may settle it.
    const asked = server.hub.request("honest", DEPLOY_ACTIONS.list, {}, 60_000);
    asked.catch(() => {}); // awaited below; a failure before that must not surface as unhandled
    try {
      for (const [i, msg] of messages.entries()) {
        // Let the server keep up now and then, so that the sockets it closes are seen closed.
        if (i % 50 === 0) await new Promise((r) => setTimeout(r, 5));
        if (!mallory || !mallory.isOpen()) {
          mallory = await dialAgent(server.wsUrl, { secret: credential, node: "mallory" });
          expect(mallory.status).toBe(101);
          mallory.hello("mallory");
          reconnects += 1;
        }
        mallory.send(typeof msg === "object" && msg !== null && "raw" in msg ? String((msg as { raw: string }).raw) : msg);
      }
      // Barrier: one last message of mallory's own, on a fresh socket (the last one may be closing).
      mallory?.close();
      mallory = await dialAgent(server.wsUrl, { secret: credential, node: "mallory" });
      mallory.hello("mallory");
      mallory.telemetry([{ ts: Date.now(), snapshot: gpuSnapshot(["GPU-mallory-end"], 777) }]);
      await waitFor("mallory's last message handled", () => server.fleet.get("mallory")?.gpus[0]?.memUsedMiB === 777, 60_000);
    } finally {
      clearInterval(stream);
      mallory?.close();
    }

    expect(honest.isOpen()).toBe(true);
    expect(reconnects).toBeGreaterThan(1); // hellos under other names did close sockets
    const node = server.fleet.get("honest")!;
    expect(node.gpus.map((g) => g.uuid)).toEqual(HONEST_UUIDS);
    expect(node.gpus.map((g) => g.memUsedMiB)).toEqual([HONEST_MIB, HONEST_MIB]);
    const history = (await server.call("GET", "/api/nodes/honest/history?range=5m")).json as NodeHistory;
    const points = history.gpus.flatMap((g) => g.points.map((p) => p.memUsedMiB));
    expect(points.length).toBeGreaterThan(1);
    expect(new Set(points)).toEqual(new Set([HONEST_MIB]));
    expect(server.deployments.get("honest-llm")).toMatchObject({ node: "honest", state: "ready", port: 18080 });
    expect(server.fleet.list().map((n) => n.name).sort()).toEqual(["honest", "mallory"]);
    expect(server.hub.stats().malformed).toBeGreaterThan(1000);

    const req = await honest.request(DEPLOY_ACTIONS.list);
    honest.send({ type: "response", v: 1, id: req.id, ok: true, result: { from: "honest" } });
    expect(await asked).toEqual({ from: "honest" });
    expect(rejections).toEqual([]);
  });

  it("answers hostile upgrade headers with a 4xx and never admits them", async () => {
    const headers = fc.sample(fc.record({
      secret: fc.oneof(fc.string({ maxLength: 600 }), fc.constantFrom("syn_", "syj_", "syn_x", AGENT_TOKEN.slice(0, -1))),
      node: fc.oneof(fc.string({ maxLength: 300 }), fc.constantFrom("honest", "..", "a/b")),
    }), { numRuns: 200, seed: SEED });
    for (const h of headers) {
      // Header values must be valid HTTP: what a client cannot send, an attacker cannot either.
      const clean = (s: string) => s.replace(/[^\x21-\x7e]/g, "");
      const r = await dialAgent(server.wsUrl, { secret: clean(h.secret) || null, node: clean(h.node) || null });
      expect([400, 401, 403], JSON.stringify(h)).toContain(r.status);
    }
    expect(honest.isOpen()).toBe(true);
  });

  it("answers hostile enrollment API bodies with 4xx (and bounds the join tokens)", async () => {
    const bodies = fc.sample(fc.oneof(fc.jsonValue(), fc.record({ ttlMinutes: fc.oneof(fc.integer(), fc.double(), fc.string()) })), { numRuns: 300, seed: SEED });
    const statuses = new Set<number>();
    for (const body of bodies) statuses.add((await server.call("POST", "/api/enrollment/join-tokens", body)).status);
    for (let i = 0; i < 60; i++) statuses.add((await server.call("POST", "/api/enrollment/join-tokens", {})).status);
    expect([...statuses].every((s) => s === 201 || s === 400 || s === 409)).toBe(true);
    expect(statuses.has(409)).toBe(true);
    expect((await server.call("GET", "/api/enrollment/join-tokens")).json.length).toBeLessThanOrEqual(50);
  });
});
