/** The load manager's pure clockwork: single-flight loads, leases and idle timers on an injected clock. */
import { describe, expect, it } from "vitest";
import { idleDue, idleUnloadAt, type IdleCandidate } from "../../../server/core/ondemand/idle";
import { Leases } from "../../../server/core/ondemand/leases";
import { rankPlacements, type PlacementOption } from "../../../server/core/ondemand/placement";
import { SingleFlight } from "../../../server/core/ondemand/single-flight";

describe("SingleFlight", () => {
  it("gives every caller that arrives during a run the same run; the next caller after it starts afresh", async () => {
    const flights = new SingleFlight<string, number>();
    let starts = 0;
    let finish!: (n: number) => void;
    const run = () => {
      starts++;
      return new Promise<number>((resolve) => (finish = resolve));
    };
    const waiters = Array.from({ length: 5 }, () => flights.run("a", run));
    expect(starts).toBe(1);
    expect(flights.has("a")).toBe(true);
    finish(7);
    expect(await Promise.all(waiters)).toEqual([7, 7, 7, 7, 7]);
    expect(flights.has("a")).toBe(false);
    const again = flights.run("a", run);
    expect(starts).toBe(2);
    finish(8);
    expect(await again).toBe(8);
  });

  it("answers a failure to every waiter, and lets the next caller try again", async () => {
    const flights = new SingleFlight<string, void>();
    const fail = () => Promise.reject(new Error("image missing"));
    const results = await Promise.allSettled([flights.run("a", fail), flights.run("a", fail)]);
    expect(results.map((r) => r.status)).toEqual(["rejected", "rejected"]);
    expect(flights.has("a")).toBe(false);
    await expect(flights.run("a", async () => {})).resolves.toBeUndefined();
  });

  it("keeps keys apart", () => {
    const flights = new SingleFlight<string, void>();
    let starts = 0;
    const run = () => new Promise<void>(() => void starts++);
    void flights.run("a", run);
    void flights.run("b", run);
    expect(starts).toBe(2);
  });
});

describe("Leases", () => {
  it("counts requests in flight, stamps activity at both ends, and says when a deployment is drained", async () => {
    let now = 1000;
    const leases = new Leases(() => now);
    const r1 = leases.acquire("d");
    const r2 = leases.acquire("d");
    expect(leases.count("d")).toBe(2);
    expect(leases.busy()).toEqual(["d"]);
    let drained = false;
    const waiting = leases.drained("d").then(() => (drained = true));
    now = 5000;
    r1();
    r1(); // a second release of the same lease changes nothing
    await Promise.resolve();
    expect(drained).toBe(false);
    r2();
    await waiting;
    expect(drained).toBe(true);
    expect(leases.count("d")).toBe(0);
    expect(leases.lastActive("d")).toBe(5000);
    expect([...leases.dirty]).toEqual(["d"]);
  });

  it("seeds the last activity from the database without marking it to be written", () => {
    const leases = new Leases(() => 0);
    leases.seed("d", 42);
    leases.seed("d", 7);
    expect(leases.lastActive("d")).toBe(42);
    expect(leases.dirty.size).toBe(0);
  });
});

describe("idle timers", () => {
  const c = (over: Partial<IdleCandidate>): IdleCandidate => ({ id: "d", loaded: true, sleeping: false, inFlight: 0, idleTimeoutMs: 60_000, lastActiveAt: 0, ...over });

  it.each([
    ["idle past its timeout", c({}), 60_000, true],
    ["not yet", c({}), 59_999, false],
    ["a request in flight", c({ inFlight: 1 }), 10 ** 9, false],
    ["not loaded", c({ loaded: false }), 10 ** 9, false],
    ["asleep already", c({ sleeping: true }), 10 ** 9, false],
    ["counted from its last request", c({ lastActiveAt: 30_000 }), 60_000, false],
  ])("%s", (_, candidate, now, due) => {
    expect(idleDue([candidate], now)).toEqual(due ? ["d"] : []);
  });

  it("unloads the longest idle first and shows when each is due", () => {
    const list = [c({ id: "b", lastActiveAt: 10 }), c({ id: "a", lastActiveAt: 5 }), c({ id: "busy", inFlight: 3 })];
    expect(idleDue(list, 100_000)).toEqual(["a", "b"]);
    expect(idleUnloadAt(list[0]!)).toBe(60_010);
    expect(idleUnloadAt(list[2]!)).toBeNull();
  });
});

describe("placement at load time", () => {
  const opt = (node: string, decision: PlacementOption["decision"], hasModel = false): PlacementOption => ({ node, gpus: [0], decision, hasModel });
  const victim = { id: "v", name: "v", onDemand: true, phase: "ready" as const, inFlight: 0, lastActiveAt: 0, holds: new Map(), reserves: new Map() };

  it("prefers where it fits, then the least eviction, then a node that has the model, then the candidates' order", () => {
    const ranked = rankPlacements([
      opt("no-room", { kind: "no-room", short: [] }),
      opt("evict-much", { kind: "evict", victims: [victim], bytes: 20 }),
      opt("evict-little", { kind: "evict", victims: [victim], bytes: 5 }),
      opt("fits", { kind: "fits" }),
      opt("fits-with-model", { kind: "fits" }, true),
      opt("wait", { kind: "wait", victims: [], busy: [victim] }),
    ]);
    expect(ranked.map((o) => o.node)).toEqual(["fits-with-model", "fits", "evict-little", "evict-much", "wait", "no-room"]);
  });
});
