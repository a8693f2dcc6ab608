/**
 * Room by memory (server/core/ondemand/room.ts), as tables: what fits, who is unloaded first (least
 * recently used, only idle on-demand deployments), who a start waits for (requests in flight), what
 * loads in progress have reserved, and what is refused at deploy time.
 */
import { describe, expect, it } from "vitest";
import { capacity, cpuPool, decideRoom, gpuPool, type Holder, type Pool, type RoomInput } from "../../../server/core/ondemand/room";

const GiB = 1024 ** 3;
const G0 = gpuPool("box", 0);
const G1 = gpuPool("box", 1);
const CPU = cpuPool("box");

const pool = (key: string, total: number, free: number, measured = true): Pool => ({ key, label: key, totalBytes: total * GiB, freeBytes: free * GiB, measured });

function holder(name: string, holds: Record<string, number>, over: Partial<Holder> = {}): Holder {
  return {
    id: name, name, onDemand: true, phase: "ready", inFlight: 0, lastActiveAt: 0,
    holds: new Map(Object.entries(holds).map(([k, v]) => [k, v * GiB])), reserves: new Map(), ...over,
  };
}

function input(pools: Pool[], holders: Holder[], need: Record<string, number>, extra: Partial<RoomInput> = {}): RoomInput {
  return {
    pools: new Map(pools.map((p) => [p.key, p])), holders, credits: new Map(), self: "new",
    need: new Map(Object.entries(need).map(([k, v]) => [k, v * GiB])), ...extra,
  };
}

const names = (hs: readonly Holder[]) => hs.map((h) => h.name);

describe("decideRoom", () => {
  it("fits when the free memory covers the need", () => {
    expect(decideRoom(input([pool(G0, 24, 20)], [], { [G0]: 18 }))).toEqual({ kind: "fits" });
  });

  it("unloads idle on-demand deployments least recently used first, and only as many as needed", () => {
    const old = holder("old", { [G0]: 6 }, { lastActiveAt: 100 });
    const older = holder("older", { [G0]: 6 }, { lastActiveAt: 50 });
    const recent = holder("recent", { [G0]: 6 }, { lastActiveAt: 900 });
    const d = decideRoom(input([pool(G0, 24, 4)], [recent, old, older], { [G0]: 14 }));
    expect(d.kind).toBe("evict");
    expect(d.kind === "evict" && names(d.victims)).toEqual(["older", "old"]);
    expect(d.kind === "evict" && d.bytes).toBe(12 * GiB);
  });

  it("skips deployments that hold nothing where memory is short", () => {
    const elsewhere = holder("elsewhere", { [G1]: 10 }, { lastActiveAt: 1 });
    const here = holder("here", { [G0]: 10 }, { lastActiveAt: 2 });
    const d = decideRoom(input([pool(G0, 24, 4), pool(G1, 24, 4)], [elsewhere, here], { [G0]: 10 }));
    expect(d.kind === "evict" && names(d.victims)).toEqual(["here"]);
  });

  it("never unloads a deployment with a request in flight: the start waits for it", () => {
    const busy = holder("busy", { [G0]: 10 }, { inFlight: 1, lastActiveAt: 1 });
    const idle = holder("idle", { [G0]: 4 }, { lastActiveAt: 2 });
    const d = decideRoom(input([pool(G0, 24, 2)], [busy, idle], { [G0]: 12 }));
    expect(d.kind).toBe("wait");
    expect(d.kind === "wait" && [names(d.victims), names(d.busy)]).toEqual([["idle"], ["busy"]]);
  });

  it("waits for an on-demand deployment still loading (it may be unloaded once it serves): racing loads take turns", () => {
    const loading = holder("first", { [G0]: 10 }, { phase: "loading" });
    const d = decideRoom(input([pool(G0, 24, 4)], [loading], { [G0]: 12 }));
    expect(d.kind === "wait" && names(d.busy)).toEqual(["first"]);
  });

  it("never unloads a pinned deployment, loading or not: no room, saying who holds the memory", () => {
    const pinned = holder("big", { [G0]: 16 }, { onDemand: false });
    const loading = holder("starting", { [G0]: 2 }, { phase: "loading", onDemand: false });
    const d = decideRoom(input([pool(G0, 24, 2)], [pinned, loading], { [G0]: 8 }));
    expect(d.kind).toBe("no-room");
    if (d.kind !== "no-room") return;
    expect(d.short).toEqual([expect.objectContaining({
      pool: G0, needBytes: 8 * GiB, availableBytes: 2 * GiB, otherBytes: 4 * GiB,
      holders: [{ name: "big", bytes: 16 * GiB, pinned: true, inFlight: 0 }, { name: "starting", bytes: 2 * GiB, pinned: true, inFlight: 0 }],
    })]);
  });

  it("counts what loads in progress have reserved: two loads racing for one GPU do not both start", () => {
    // The first load is recorded (it reserves its estimate minus what it already holds) before the second decides.
    const first = holder("first", { [G0]: 1 }, { phase: "loading", reserves: new Map([[G0, 11 * GiB]]) });
    expect(decideRoom(input([pool(G0, 24, 20)], [first], { [G0]: 12 })).kind).toBe("no-room");
    expect(decideRoom(input([pool(G0, 24, 20)], [], { [G0]: 12 })).kind).toBe("fits");
  });

  it("credits memory an unload just released on measured pools only (telemetry shows it a sample later)", () => {
    const credits = new Map([[G0, 10 * GiB], [CPU, 10 * GiB]]);
    expect(decideRoom(input([pool(G0, 24, 2)], [], { [G0]: 10 }, { credits })).kind).toBe("fits");
    expect(decideRoom(input([pool(CPU, 4, 1, false)], [], { [CPU]: 3 }, { credits })).kind).toBe("no-room");
  });

  it("needs every GPU of a tensor-parallel start covered", () => {
    const a = holder("a", { [G0]: 10 }, { lastActiveAt: 1 });
    const b = holder("b", { [G1]: 10 }, { lastActiveAt: 2 });
    const d = decideRoom(input([pool(G0, 24, 4), pool(G1, 24, 4)], [a, b], { [G0]: 12, [G1]: 12 }));
    expect(d.kind === "evict" && names(d.victims)).toEqual(["a", "b"]);
  });

  it("a sleeping deployment waking counts what it still holds for itself", () => {
    const self = holder("new", { [G0]: 1 }, { phase: "sleeping" });
    expect(decideRoom(input([pool(G0, 24, 10)], [self], { [G0]: 11 })).kind).toBe("fits");
  });

  it("says so when a pool's free memory is unknown", () => {
    const unknown: Pool = { key: G0, label: "GPU 0 of box", totalBytes: null, freeBytes: null, measured: true };
    expect(decideRoom(input([unknown], [], { [G0]: 1 }))).toEqual({ kind: "unknown", pools: ["GPU 0 of box"] });
  });
});

describe("capacity (deploy time)", () => {
  it("fits if it would with every on-demand deployment there gone, busy ones included", () => {
    const od = holder("od", { [CPU]: 3 }, { inFlight: 2 });
    expect(capacity(input([pool(CPU, 4, 1, false)], [od], { [CPU]: 4 }))).toBeNull();
  });

  it("refuses what pinned deployments and the budget leave no room for", () => {
    const pinned = holder("pinned", { [CPU]: 3 }, { onDemand: false });
    const short = capacity(input([pool(CPU, 4, 1, false)], [pinned], { [CPU]: 2 }));
    expect(short).toEqual([expect.objectContaining({ pool: CPU, needBytes: 2 * GiB, availableBytes: 1 * GiB })]);
  });
});
