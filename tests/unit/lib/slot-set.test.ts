import { describe, expect, it } from "vitest";
import { SlotSet } from "../../../lib/slot-set";

const member = (name: string) => ({ name, slot: -1 });
const names = (s: SlotSet<{ name: string; slot: number }>) => [...s].map((m) => m.name).sort();

describe("SlotSet", () => {
  it("holds each member once and forgets a deleted one", () => {
    const s = new SlotSet<ReturnType<typeof member>>();
    const [a, b, c] = [member("a"), member("b"), member("c")];
    s.add(a);
    s.add(b);
    s.add(a);
    s.add(c);
    expect(s.size).toBe(3);
    expect(s.delete(a)).toBe(true);
    expect(s.delete(a)).toBe(false);
    expect(s.has(a)).toBe(false);
    expect(a.slot).toBe(-1);
    expect(names(s)).toEqual(["b", "c"]);
    // The member moved into the freed place can still be found and deleted.
    expect(s.delete(c)).toBe(true);
    expect(s.delete(b)).toBe(true);
    expect(s.size).toBe(0);
  });

  it("keeps the right members through many adds and deletes in any order", () => {
    const s = new SlotSet<ReturnType<typeof member>>();
    const all = Array.from({ length: 50 }, (_, i) => member(String(i)));
    const kept = new Set<string>();
    let seed = 7;
    for (let step = 0; step < 2000; step++) {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      const m = all[seed % all.length]!;
      if (kept.has(m.name)) {
        expect(s.delete(m)).toBe(true);
        kept.delete(m.name);
      } else {
        s.add(m);
        kept.add(m.name);
      }
      expect(s.size).toBe(kept.size);
    }
    expect(names(s)).toEqual([...kept].sort());
    for (const m of all) {
      expect(s.has(m)).toBe(kept.has(m.name));
      expect(s.some((x) => x === m)).toBe(kept.has(m.name));
    }
  });

  it("does not take a member of another set, nor delete one", () => {
    const one = new SlotSet<ReturnType<typeof member>>();
    const two = new SlotSet<ReturnType<typeof member>>();
    const [a, b] = [member("a"), member("b")];
    one.add(a);
    two.add(b);
    expect(() => two.add(a)).toThrow(/member of another set/);
    // Both sit at index 0 of their own set: deleting through the wrong set must not touch either.
    expect(two.delete(a)).toBe(false);
    expect(one.has(a)).toBe(true);
    expect(two.has(b)).toBe(true);
  });

  it("lets members delete themselves while being gone through or drained", () => {
    const s = new SlotSet<ReturnType<typeof member>>();
    const ms = ["a", "b", "c"].map(member);
    for (const m of ms) s.add(m);
    const seen: string[] = [];
    for (const m of s) {
      seen.push(m.name);
      s.delete(m);
    }
    expect(seen.sort()).toEqual(["a", "b", "c"]);
    for (const m of ms) s.add(m);
    const drained = s.drain();
    expect(drained.map((m) => m.name).sort()).toEqual(["a", "b", "c"]);
    expect(s.size).toBe(0);
    for (const m of drained) expect(s.delete(m)).toBe(false);
    s.add(ms[0]!);
    expect(names(s)).toEqual(["a"]);
  });
});
