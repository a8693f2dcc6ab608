/**
 * Models on demand against hostile input: load and unload requests with hostile names, queries and
 * bodies; deploy bodies with hostile on-demand policies (generated, fast-check); a node lying about
 * its CPU budget and its GPUs' memory. Every answer is a 4xx with a bounded JSON message (or the
 * request is ignored), nothing is half-created, the server keeps serving, and a lie reaches no
 * further than the lying node's own room: out-of-bounds figures read as unknown, never as room.
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { NodeView } from "../../protocol/live";
import type { FitEstimator } from "../../server/core/deployments/fit-hook";
import { buildLedger, needOf } from "../../server/core/ondemand/ledger";
import { capacity, decideRoom } from "../../server/core/ondemand/room";
import { startHubServer, type HubServer } from "../helpers/hub-server";
import { AGENT_TOKEN, ADMIN_TOKEN } from "../helpers/processes";
import { FACTS, dialAgent, enrolledAgent, honestDeployer, type RawAgent } from "../helpers/raw-agent";
import { snapshot } from "../helpers/samples";

const MiB = 1024 ** 2;
const fit: FitEstimator = async () => ({ fits: null, totalBytes: 64 * MiB, perGpuBytes: [], weightsBytes: 32 * MiB });

describe("on-demand load and unload against hostile requests", () => {
  let server: HubServer;
  let node: RawAgent;

  beforeAll(async () => {
    server = await startHubServer({ fit });
    node = (await enrolledAgent(server.wsUrl, "box", AGENT_TOKEN)).agent;
    honestDeployer(node);
    expect((await server.call("POST", "/api/deployments", { engine: "llamacpp", model: "/m/tiny.gguf", name: "tiny", node: "box", gpus: "none", onDemand: {} })).status).toBe(201);
    expect((await server.call("POST", "/api/deployments", { engine: "llamacpp", model: "/m/pinned.gguf", name: "pinned", node: "box", gpus: "none" })).status).toBe(201);
  });
  afterAll(async () => {
    node?.close();
    await server?.close();
  });

  const raw = (method: string, path: string, body?: string) =>
    fetch(`${server.url}${path}`, { method, headers: { authorization: `Bearer ${ADMIN_TOKEN}`, "content-type": "application/json" }, body });

  it("refuses hostile names with a short message that does not echo them", async () => {
    for (const name of ["..%2F..%2Fetc", "a".repeat(5000), "%00", "%C3%9C", "UPPER", "x%20y", "-dash"]) {
      for (const verb of ["load", "unload"]) {
        const res = await raw("POST", `/api/deployments/${name}/${verb}`);
        expect([400, 404]).toContain(res.status);
        const text = await res.text();
        expect(text.length).toBeLessThan(400);
        expect(text).not.toContain("a".repeat(200));
        expect(JSON.parse(text).error.code).toMatch(/bad_request|not_found/);
      }
    }
  });

  it("refuses hostile ?wait= values and unknown parameters; ignores bodies", async () => {
    for (const q of ["wait=-1", "wait=abc", "wait=1e99", "wait=99999999", "wait=1&evil=1", "wait=0.5"]) {
      const res = await raw("POST", `/api/deployments/tiny/load?${q}`);
      expect(res.status, q).toBe(400);
    }
    // A body nobody asked for (1 MiB of junk, or JSON trying to change the policy) changes nothing.
    const junk = await raw("POST", "/api/deployments/tiny/load?wait=0", "x".repeat(1 << 20));
    expect([200, 202]).toContain(junk.status);
    const sneaky = await raw("POST", "/api/deployments/tiny/unload", JSON.stringify({ onDemand: { idleTimeoutS: 1 }, node: "elsewhere" }));
    expect(sneaky.status).toBe(200);
    const tiny = (await server.call("GET", "/api/deployments/tiny")).json;
    expect(tiny).toMatchObject({ node: "box", state: "standby", onDemand: { idleTimeoutS: 900 } });
    expect((await raw("POST", "/api/deployments/pinned/load")).status).toBe(409);
    expect((await fetch(`${server.url}/api/health`)).status).toBe(200);
  });

  it("refuses hostile on-demand policies at deploy time, creating nothing", async () => {
    const before = (await server.call("GET", "/api/deployments")).json.length;
    const hostile = fc.oneof(
      fc.record({ idleTimeoutS: fc.oneof(fc.integer({ min: -1e9, max: 0 }), fc.integer({ min: 30 * 86_400 + 1 }), fc.double(), fc.string()) }),
      fc.record({ loadTimeoutS: fc.oneof(fc.integer({ min: 86_401 }), fc.constant(-5), fc.constant("10m"), fc.constant(null)) }),
      fc.record({ unload: fc.string().filter((s) => s !== "remove" && s !== "sleep") }),
      fc.record({ preload: fc.oneof(fc.string(), fc.integer()) }),
      fc.dictionary(fc.string().filter((k) => !["idleTimeoutS", "loadTimeoutS", "unload", "preload"].includes(k)), fc.jsonValue(), { minKeys: 1 }),
      fc.oneof(fc.string(), fc.integer(), fc.array(fc.jsonValue()), fc.constant(null)),
    );
    await fc.assert(fc.asyncProperty(hostile, async (onDemand) => {
      const res = await server.call("POST", "/api/deployments", { engine: "llamacpp", model: "/m/x.gguf", name: "fuzzed", node: "box", gpus: "none", onDemand });
      expect(res.status).toBe(400);
      expect(JSON.stringify(res.json).length).toBeLessThan(4000);
    }), { numRuns: 150 });
    // Sleep mode is vLLM's: asked of another engine, it is refused too.
    expect((await server.call("POST", "/api/deployments", { engine: "llamacpp", model: "/m/x.gguf", name: "fuzzed", node: "box", gpus: "none", onDemand: { unload: "sleep" } })).json.error.message).toMatch(/vLLM's sleep mode/);
    expect((await server.call("GET", "/api/deployments")).json.length).toBe(before);
  });
});

describe("a node lying about its memory", () => {
  let server: HubServer;

  /** A node that enrolls with these facts in its (only) hello. */
  const nodeSaying = async (name: string, cpuMemoryBytes: unknown) => {
    const agent = await dialAgent(server.wsUrl, { secret: AGENT_TOKEN, node: name });
    agent.send({ type: "hello", v: 1, agentVersion: "test", node: name, facts: { ...FACTS, cpuMemoryBytes } });
    await agent.welcome();
    return agent;
  };

  beforeAll(async () => {
    server = await startHubServer({ fit });
  });
  afterAll(async () => server?.close());

  it("an out-of-bounds CPU budget reads as unknown (the host's memory), and the agent stays connected", async () => {
    for (const [i, lie] of [1e300, -1, "lots", 2 ** 60, 0.5, { bytes: 1 }].entries()) {
      const name = `liar-${i}`;
      const agent = await nodeSaying(name, lie);
      expect(server.fleet.get(name)!.facts).toMatchObject({ hostname: FACTS.hostname, cpuMemoryBytes: null });
      expect(agent.isOpen()).toBe(true);
      agent.close();
    }
  });

  it("a budget in bounds but absurd gives room on that node alone; its registration goes there, nowhere else", async () => {
    const honest = await nodeSaying("honest", 16 * MiB);
    const liar = await nodeSaying("braggart", 2 ** 49);
    const pinnedToHonest = await server.call("POST", "/api/deployments", { engine: "llamacpp", model: "/m/x.gguf", name: "x", node: "honest", gpus: "none", onDemand: {} });
    expect(pinnedToHonest.status).toBe(400);
    expect(pinnedToHonest.json.error.message).toMatch(/CPU memory budget of honest/);
    const anywhere = await server.call("POST", "/api/deployments", { engine: "llamacpp", model: "/m/x.gguf", name: "x", gpus: "none", onDemand: {} });
    expect(anywhere.json).toMatchObject({ node: "braggart", state: "standby" });
    honest.close();
    liar.close();
  });

  it("whatever a node reports, the ledger holds only unknowns or finite, non-negative sizes, and decisions never throw", () => {
    const num = fc.oneof(fc.double(), fc.constant(Number.NaN), fc.constant(Infinity), fc.constant(-Infinity), fc.integer(), fc.constant(null));
    const nodeArb = fc.record({
      gpus: fc.array(fc.record({ index: fc.integer({ min: 0, max: 7 }), memTotalMiB: num, memUsedMiB: num }), { maxLength: 4 }),
      memTotal: num, memUsed: num, budget: num, pid: fc.integer({ min: 0, max: 100 }), usedMiB: num,
    });
    fc.assert(fc.property(nodeArb, (n) => {
      const base = snapshot();
      const view = {
        id: "n", name: "box", online: true, lastSeen: 0, agentVersion: "x", driver: null, warnings: [],
        facts: { ...FACTS, cpuMemoryBytes: n.budget as number | null },
        host: { ...base.host, memTotalBytes: n.memTotal as number | null, memUsedBytes: n.memUsed as number | null },
        gpus: n.gpus.map((g) => ({ ...base.gpus[0]!, index: g.index, uuid: `GPU-${g.index}`, memTotalMiB: g.memTotalMiB as number | null, memUsedMiB: g.memUsedMiB as number | null })),
        processes: [{ gpuUuid: "GPU-0", pid: n.pid, name: "x", usedMiB: n.usedMiB as number | null }],
      } as NodeView;
      const ledger = buildLedger([view], []);
      for (const p of ledger.pools.values()) {
        for (const v of [p.totalBytes, p.freeBytes]) if (v !== null) expect(Number.isFinite(v) && v >= 0).toBe(true);
      }
      const estimate = { perGpuBytes: [MiB], cpuBytes: MiB, weightsBytes: MiB };
      for (const gpus of [[], [0]]) {
        const input = { ...ledger, credits: new Map(), need: needOf("box", gpus, estimate), self: "x" };
        expect(() => decideRoom(input)).not.toThrow();
        expect(() => capacity(input)).not.toThrow();
      }
    }), { numRuns: 500 });
  });
});
