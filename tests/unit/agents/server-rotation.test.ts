import { describe, expect, it } from "vitest";
import { ServerRotation, parseServerList } from "../../../agents/server-rotation";

const opts = { minBackoffMs: 1000, maxBackoffMs: 30_000, switchMs: 100, random: () => 0.5 };

describe("which server an agent dials next", () => {
  it("starts with the first URL, moves to the next at once when its server goes, backs off after a whole round failed", () => {
    const r = new ServerRotation(["http://a", "http://b", "http://c"], opts);
    expect(r.current()).toBe("http://a");
    r.welcomed();
    expect(r.next()).toEqual({ url: "http://b", delayMs: 100 }); // a went away
    expect(r.next()).toEqual({ url: "http://c", delayMs: 100 }); // b does not answer either
    expect(r.next()).toEqual({ url: "http://a", delayMs: 1000 }); // a whole round failed: back off
    expect(r.next()).toEqual({ url: "http://b", delayMs: 100 });
    expect(r.next()).toEqual({ url: "http://c", delayMs: 100 });
    expect(r.next()).toEqual({ url: "http://a", delayMs: 2000 });
    r.welcomed();
    expect(r.next().delayMs).toBe(100);
  });

  it("with one URL, redials it with the backoff it always had", () => {
    const r = new ServerRotation(["http://a"], opts);
    expect([1, 2, 3, 4, 5, 6].map(() => r.next())).toEqual([1000, 2000, 4000, 8000, 16_000, 30_000].map((delayMs) => ({ url: "http://a", delayMs })));
  });

  it("waits the longest after a refusal every server would repeat", () => {
    const r = new ServerRotation(["http://a", "http://b"], opts);
    r.slowDown();
    expect(r.next().delayMs).toBe(30_000);
    expect(r.next().delayMs).toBe(1000);
  });

  it("reads --server as a comma-separated list", () => {
    expect(parseServerList(" http://a:3000 ,http://b:3000,")).toEqual(["http://a:3000", "http://b:3000"]);
    expect(() => parseServerList(" , ")).toThrow(/at least one URL/);
    expect(() => parseServerList(Array(17).fill("http://a").join(","))).toThrow(/at most 16/);
  });
});
