import { describe, expect, it } from "vitest";
import type { NodeView } from "../../../protocol/live";
import { computeTotals, FLUSH_GAP_MS, FleetStore } from "../../../app/lib/fleet-store";
import { backoffMs } from "../../../app/lib/live-connection";

function node(name: string, over: Partial<NodeView> = {}): NodeView {
  return {
    id: name,
    name,
    online: true,
    lastSeen: 1000,
    agentVersion: "0.1.0",
    facts: null,
    driver: { version: "590.48.01", cuda: "13.1" },
    host: { hostname: name, cpuPct: 5, memUsedBytes: 1, memTotalBytes: 2 },
    gpus: [
      {
        index: 0,
        uuid: `GPU-${name}-0`,
        name: "NVIDIA H100 80GB HBM3",
        memTotalMiB: 81559,
        memUsedMiB: 16959,
        utilGpuPct: 98,
        tempC: 61,
        powerW: 295,
        powerLimitW: 700,
      },
    ],
    processes: [],
    warnings: [],
    ...over,
  };
}

/** A store whose batched notifications run when the test says so. */
function manualStore() {
  const queue: Array<() => void> = [];
  const store = new FleetStore((f) => queue.push(f));
  return { store, flush: () => queue.splice(0).forEach((f) => f()) };
}

describe("FleetStore", () => {
  it("notifies only the node that changed, once per batch", () => {
    const { store, flush } = manualStore();
    store.applyList([node("a"), node("b")], { fromSocket: true });
    flush();
    let a = 0;
    let b = 0;
    store.subscribeNode("a", () => a++);
    store.subscribeNode("b", () => b++);
    store.applyNode(node("a", { lastSeen: 2000 }), 2000);
    store.applyNode(node("a", { lastSeen: 3000 }), 3000);
    flush();
    expect([a, b]).toEqual([1, 0]);
    expect(store.getRing("GPU-a-0").size).toBe(3);
  });

  it("renders a fleet's stream of updates at most every FLUSH_GAP_MS, and a lone update at once", () => {
    // A scheduler on a fake clock: a flush runs once the clock passes its due time.
    let now = 0;
    const due: Array<{ at: number; f: () => void }> = [];
    const store = new FleetStore((f, delayMs) => due.push({ at: now + delayMs, f }), () => now);
    const advanceTo = (t: number) => {
      now = t;
      for (const d of due.filter((x) => x.at <= t)) {
        due.splice(due.indexOf(d), 1);
        d.f();
      }
    };
    store.applyList([node("a"), node("b")], { fromSocket: true });
    advanceTo(0);
    let renders = 0;
    store.subscribeAny(() => renders++);
    // 50 updates a second (50 nodes at 1 Hz, spread over the second): four renders, not 50.
    for (let t = 10; t < 1000; t += 20) {
      advanceTo(t);
      store.applyNode(node(t % 40 === 10 ? "a" : "b", { lastSeen: t }), 1000 + t);
    }
    advanceTo(1000);
    expect(renders).toBeGreaterThanOrEqual(3);
    expect(renders).toBeLessThanOrEqual(5);

    // Quiet for a while, then one update: it is due at once, not held back.
    advanceTo(1000 + FLUSH_GAP_MS);
    advanceTo(5000);
    const before = renders;
    store.applyNode(node("a", { lastSeen: 5000 }), 6000);
    advanceTo(5000);
    expect(renders).toBe(before + 1);
  });

  it("keeps names sorted naturally and drops nodes missing from a snapshot", () => {
    const { store } = manualStore();
    store.applyList([node("box10"), node("box2"), node("box1")], { fromSocket: true });
    expect(store.getNames()).toEqual(["box1", "box2", "box10"]);
    store.applyList([node("box2")], { fromSocket: true });
    expect(store.getNames()).toEqual(["box2"]);
    store.remove("box2");
    expect(store.getNames()).toEqual([]);
  });

  it("does not let an older REST answer overwrite newer live data", () => {
    const { store } = manualStore();
    store.applyNode(node("a", { lastSeen: 5000, warnings: ["live"] }), 5000);
    store.applyList([node("a", { lastSeen: 4000, warnings: ["rest"] })], { fromSocket: false });
    expect(store.getNode("a")?.warnings).toEqual(["live"]);
  });
});

describe("computeTotals", () => {
  it("sums online GPUs and skips unavailable values", () => {
    const t = computeTotals([
      node("a"),
      node("b", { online: false }),
      node("c", {
        gpus: [{ index: 0, uuid: "GPU-c", name: "MIG", memTotalMiB: 1000, memUsedMiB: 41, utilGpuPct: null, tempC: null, powerW: null, powerLimitW: null }],
      }),
    ]);
    expect(t).toMatchObject({ nodes: 3, nodesOnline: 2, gpus: 3, memUsedMiB: 17000, memTotalMiB: 82559, avgUtilPct: 98, powerW: 295 });
  });
});

describe("backoffMs", () => {
  it("grows exponentially with jitter and stays capped", () => {
    expect(backoffMs(0, () => 0)).toBe(250);
    expect(backoffMs(0, () => 1)).toBe(500);
    expect(backoffMs(3, () => 1)).toBe(4000);
    expect(backoffMs(30, () => 1)).toBe(15_000);
    expect(backoffMs(30, () => 0)).toBe(7500);
  });
});
