/**
 * The benchmark verbs on real SQLite (the real migrations), with the gateway replaced by a scripted
 * `send` (a stand-in: the real gateway and llama.cpp are in tests/integration/bench-llama.test.ts).
 * What is checked here is the orchestration: levels, bounds, one at a time per model, cancelling,
 * what is stored, what followers hear.
 */
import { describe, expect, it } from "vitest";
import type { BenchmarkEvent } from "../../../protocol/benchmarks";
import type { BenchmarkPeers } from "../../../server/core/benchmarks/elsewhere";
import { createBenchmarks, type BenchmarksDeps } from "../../../server/core/benchmarks/service";
import type { RequestSample } from "../../../server/core/benchmarks/stats";
import type { ChatBody } from "../../../server/core/benchmarks/stream-request";
import { openMemoryDatabase } from "../../../server/db/client";
import { benchmarksRepo } from "../../../server/db/repos/benchmarks-repo";

const okSample = (tokens = 11): RequestSample => ({
  ok: true, error: null, startedAt: 0, firstTokenAt: 10, lastTokenAt: 110, outputTokens: tokens, promptTokens: 50, engineTokensPerSec: 99, backend: "box1",
});

function setup(send: BenchmarksDeps["send"], routable = ["m1", "m2", "m3"]) {
  const repo = benchmarksRepo(openMemoryDatabase());
  let ids = 0;
  const deps: BenchmarksDeps = {
    repo,
    context: {
      routes: {
        targets: (m) => (routable.includes(m) ? [{ backend: "box1", id: `box1/${m}` }] : null),
        backend: () => ({ kind: "llamacpp", api: "openai", source: "config" }),
      },
      deployments: null,
      fleet: { get: () => null },
      models: () => routable,
    },
    send,
    newId: () => `00000000-0000-0000-0000-00000000000${++ids}`,
  };
  return { repo, deps, create: () => createBenchmarks(deps) };
}

/** A send that holds every request until released (or aborted). */
function gatedSend() {
  const waiting: Array<() => void> = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const bodies: ChatBody[] = [];
  const send = (body: ChatBody, signal: AbortSignal) => new Promise<RequestSample>((resolve) => {
    bodies.push(body);
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    const done = (s: RequestSample) => {
      inFlight--;
      resolve(s);
    };
    signal.addEventListener("abort", () => done({ ...okSample(), ok: false, error: "aborted" }));
    waiting.push(() => done(okSample()));
  });
  return {
    send, bodies, get maxInFlight() { return maxInFlight; },
    /** Releases what waits now, again and again until `until` holds. */
    async drain(until: () => boolean) {
      while (!until()) {
        waiting.splice(0).forEach((f) => f());
        await new Promise((r) => setTimeout(r, 1));
      }
    },
  };
}

describe("benchmarks", () => {
  it("runs each level with its concurrency, stores the result and tells followers", async () => {
    const gate = gatedSend();
    const { create, repo } = setup(gate.send);
    const b = await create();
    const started = await b.start({ model: "m1", concurrency: [4, 1], requests: 8, maxTokens: 11 });
    expect(started).toMatchObject({ state: "running", params: { concurrency: [1, 4], requests: 8, maxTokens: 11, ignoreEos: true }, context: { target: "box1/m1", backendKind: "llamacpp" } });
    const events: BenchmarkEvent["event"][] = [];
    b.follow(started.id, (e) => events.push(e.event));
    await gate.drain(() => events.includes("end"));
    const view = await b.get(started.id);
    expect(view.state).toBe("done");
    expect(view.runs.map((r) => [r.concurrency, r.requests, r.failed, r.outputTokensPerSec])).toEqual([[1, 8, 0, 100], [4, 8, 0, 100]]);
    expect(gate.maxInFlight).toBe(4);
    // The probe (not measured) plus 8 + 8; every measured prompt its own.
    expect(gate.bodies).toHaveLength(17);
    expect(new Set(gate.bodies.map((x) => x.prompt)).size).toBe(17);
    expect(gate.bodies.every((x) => x.ignoreEos && x.model === "m1")).toBe(true);
    expect(events.filter((e) => e === "run")).toHaveLength(2);
    expect(events.at(-1)).toBe("end");
    const stored = await repo.get(started.id);
    expect(stored).toMatchObject({ state: "done", runs: view.runs });
    expect(stored!.finishedAt).toBeGreaterThan(0);
  });

  it("refuses a model the gateway does not route, naming the ones it does", async () => {
    const b = await setup(gatedSend().send).create();
    await expect(b.start({ model: "nope" })).rejects.toThrow(/model nope is not routed by this gateway \(known: m1, m2, m3\)/);
  });

  it("runs one benchmark per model, and at most two at once", async () => {
    const gate = gatedSend();
    const b = await setup(gate.send).create();
    const first = await b.start({ model: "m1" });
    await expect(b.start({ model: "m1" })).rejects.toMatchObject({ code: "conflict", message: expect.stringContaining(first.id) });
    await b.start({ model: "m2" });
    await expect(b.start({ model: "m3" })).rejects.toMatchObject({ code: "conflict", message: expect.stringMatching(/2 benchmarks are running/) });
    await b.close();
  });

  it("cancels: requests in flight are aborted, finished levels kept, the state says so", async () => {
    const gate = gatedSend();
    const b = await setup(gate.send).create();
    const v = await b.start({ model: "m1", concurrency: [1, 2], requests: 2 });
    await gate.drain(() => gate.bodies.length >= 4); // probe, level 1 (2), level 2 started
    const cancelled = await b.cancel(v.id);
    expect(cancelled).toMatchObject({ state: "cancelled", error: "cancelled", progress: null });
    expect(cancelled.runs.map((r) => r.concurrency)).toEqual([1]);
    expect((await b.get(v.id)).state).toBe("cancelled");
    await expect(b.remove(v.id)).resolves.toBeUndefined();
    await expect(b.get(v.id)).rejects.toMatchObject({ code: "not_found" });
  });

  it("fails with the reason when the model does not answer its first request", async () => {
    const b = await setup(async () => ({ ...okSample(), ok: false, error: "HTTP 503: every backend for model m1 failed" })).create();
    const v = await b.start({ model: "m1" });
    await b.settled(v.id);
    expect(await b.get(v.id)).toMatchObject({ state: "failed", error: "m1 did not answer a first request: HTTP 503: every backend for model m1 failed", runs: [] });
  });

  it("marks benchmarks a stopped server left running as failed", async () => {
    const { repo, create } = setup(gatedSend().send);
    await repo.insert({
      id: "left-over", model: "m1", state: "running", params: { concurrency: [1], requests: 1, promptTokens: 1, maxTokens: 1, ignoreEos: false },
      context: { target: null, backend: null, backendKind: null, engine: null, image: null, node: null, gpus: [], gpuNames: [], ctx: null, modelFile: null },
      runs: [], error: null, createdAt: 1, finishedAt: null,
    }, "local");
    const b = await create();
    expect(await b.get("left-over")).toMatchObject({ state: "failed", error: "the server stopped while this benchmark ran" });
    expect((await b.list(10)).map((x) => x.id)).toEqual(["left-over"]);
  });
});

/**
 * Two servers on one database: two benchmark services on the same SQLite, their peers joined by an
 * in-memory stand-in for the cluster's bus (the PostgreSQL bus itself: tests/unit/cluster, tests/integration).
 */
function twoServers(send: BenchmarksDeps["send"]) {
  const { deps } = setup(send);
  const live = new Set(["A", "B"]);
  const cancels = new Map<string, (id: string) => void>();
  const peer = (serverId: string): BenchmarkPeers => ({
    serverId,
    liveServers: async () => [...live],
    isLeader: () => serverId === "B",
    requestCancel: async (id, to) => cancels.get(to)?.(id),
    onCancelRequest(listener) {
      cancels.set(serverId, listener);
      return () => cancels.delete(serverId);
    },
  });
  return { live, server: (id: string) => createBenchmarks({ ...deps, peers: peer(id), pollMs: 5 }) };
}

describe("benchmarks on several servers", () => {
  it("one started on A is seen, followed to its end and refused a twin from B", async () => {
    const gate = gatedSend();
    const { server } = twoServers(gate.send);
    const a = await server("A");
    const b = await server("B");
    const v = await a.start({ model: "m1", concurrency: [1, 2], requests: 2 });
    expect(await b.get(v.id)).toMatchObject({ state: "running", progress: null });
    expect((await b.list(10)).map((x) => [x.id, x.state])).toEqual([[v.id, "running"]]);
    await expect(b.start({ model: "m1" })).rejects.toMatchObject({ code: "conflict", message: expect.stringContaining(`running on another server (${v.id})`) });
    await expect(b.remove(v.id)).rejects.toMatchObject({ code: "conflict" });
    const events: BenchmarkEvent[] = [];
    const stop = await b.follow(v.id, (e) => events.push(e));
    expect(stop).not.toBeNull();
    await gate.drain(() => events.some((e) => e.event === "end"));
    expect(events.map((e) => e.event)).toEqual(["run", "run", "end"]);
    expect(events.at(-1)!.data).toMatchObject({ state: "done", runs: (await a.get(v.id)).runs });
    expect(await b.follow(v.id, () => {})).toBeNull(); // over: read it with get
  });

  it("a cancel made on B stops the run on A", async () => {
    const gate = gatedSend();
    const { server } = twoServers(gate.send);
    const a = await server("A");
    const b = await server("B");
    const v = await a.start({ model: "m1", concurrency: [1, 2], requests: 2 });
    await gate.drain(() => gate.bodies.length >= 4);
    expect(await b.cancel(v.id)).toMatchObject({ state: "cancelled", error: "cancelled", progress: null });
    expect((await a.get(v.id)).state).toBe("cancelled");
  });

  it("a server starting fails only the benchmarks of servers that are gone", async () => {
    const gate = gatedSend();
    const { server, live } = twoServers(gate.send);
    const a = await server("A");
    const v = await a.start({ model: "m1" });
    const b = await server("B"); // A alive: its run goes on
    expect((await b.get(v.id)).state).toBe("running");
    live.delete("A");
    const c = await server("C");
    expect(await c.get(v.id)).toMatchObject({ state: "failed", error: "the server stopped while this benchmark ran" });
    await a.close();
  });
});
