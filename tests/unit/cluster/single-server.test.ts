import { describe, expect, it } from "vitest";
import { singleServerCluster } from "../../../server/core/cluster/cluster";

describe("singleServerCluster", () => {
  it("is always the leader", () => {
    expect(singleServerCluster().isLeader()).toBe(true);
  });

  it("runs decisions about one node one at a time, in order, and others alongside", async () => {
    const c = singleServerCluster();
    const log: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const a = c.withNodeLock("box1", async () => { log.push("a start"); await gate; log.push("a end"); return 1; });
    const b = c.withNodeLock("box1", async () => { log.push("b"); return 2; });
    const other = c.withNodeLock("box2", async () => { log.push("other"); return 3; });
    expect(await other).toBe(3);
    release();
    expect(await Promise.all([a, b])).toEqual([1, 2]);
    expect(log).toEqual(["a start", "other", "a end", "b"]);
  });

  it("lets the next decision run after one that failed", async () => {
    const c = singleServerCluster();
    await expect(c.withNodeLock("box1", async () => { throw new Error("no room"); })).rejects.toThrow("no room");
    expect(await c.withNodeLock("box1", async () => "next")).toBe("next");
  });
});
