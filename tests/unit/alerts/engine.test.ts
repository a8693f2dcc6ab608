/** The rule engine with an injected clock: for-durations, re-notify, resolved notices, quiet hours. */
import { describe, expect, it } from "vitest";
import { evaluateRule, type Observation, type RuleState } from "../../../server/core/alerts/engine";

const obs = (key: string, message = `${key} is bad`): Observation => ({ key, subject: { node: key }, message });
const rule = (over: Partial<{ forMs: number; repeatMs: number | null; sendResolved: boolean }> = {}) => ({ forMs: 30_000, repeatMs: null, sendResolved: true, ...over });

/** Runs the engine over a timeline: at each step, the active keys and whether it is quiet. */
function run(r: ReturnType<typeof rule>, steps: Array<[at: number, active: string[], quiet?: boolean]>) {
  const state: RuleState = new Map();
  return steps.map(([at, active, quiet]) => {
    const ev = evaluateRule(r, state, active.map((k) => obs(k)), at, quiet ?? false);
    return {
      at,
      fired: ev.fired.map((i) => i.key),
      resolved: ev.resolved.map((i) => i.key),
      notify: ev.notifications.map((n) => `${n.state}${n.repeat ? "(repeat)" : ""}:${n.instance.key}`),
    };
  });
}

describe("evaluateRule", () => {
  it("fires only after the condition held for `for`, notifies once, and sends a resolved notice", () => {
    const t = run(rule(), [[0, ["box2"]], [29_000, ["box2"]], [30_000, ["box2"]], [31_000, ["box2"]], [40_000, []], [41_000, []]]);
    expect(t.map((s) => s.fired)).toEqual([[], [], ["box2"], [], [], []]);
    expect(t.map((s) => s.notify)).toEqual([[], [], ["firing:box2"], [], ["resolved:box2"], []]);
    expect(t[4]!.resolved).toEqual(["box2"]);
  });

  it("forgets a condition that clears before `for` without a word", () => {
    const t = run(rule(), [[0, ["box2"]], [20_000, []], [25_000, ["box2"]], [50_000, ["box2"]], [55_000, ["box2"]]]);
    expect(t.flatMap((s) => s.notify)).toEqual(["firing:box2"]);
    // The clock restarted at 25 s: it fires at 55 s, not at 30 s.
    expect(t.find((s) => s.fired.length)?.at).toBe(55_000);
  });

  it("fires at once with for: 0", () => {
    expect(run(rule({ forMs: 0 }), [[5, ["a"]]])[0]!.notify).toEqual(["firing:a"]);
  });

  it("re-notifies every `repeat` while it keeps firing", () => {
    const t = run(rule({ forMs: 0, repeatMs: 60_000 }), [[0, ["a"]], [59_000, ["a"]], [60_000, ["a"]], [90_000, ["a"]], [120_000, ["a"]]]);
    expect(t.map((s) => s.notify)).toEqual([["firing:a"], [], ["firing(repeat):a"], [], ["firing(repeat):a"]]);
  });

  it("keeps subjects apart: one GPU resolving leaves the other firing", () => {
    const t = run(rule({ forMs: 0 }), [[0, ["box1/gpu0", "box1/gpu1"]], [1000, ["box1/gpu1"]], [2000, ["box1/gpu1"]]]);
    expect(t.map((s) => s.notify)).toEqual([["firing:box1/gpu0", "firing:box1/gpu1"], ["resolved:box1/gpu0"], []]);
  });

  it("sends no resolved notice when told not to", () => {
    const t = run(rule({ forMs: 0, sendResolved: false }), [[0, ["a"]], [1000, []]]);
    expect(t.flatMap((s) => s.notify)).toEqual(["firing:a"]);
    expect(t[1]!.resolved).toEqual(["a"]);
  });

  it("in quiet hours, holds the firing notice until they end, if it still fires", () => {
    const t = run(rule({ forMs: 0 }), [[0, ["a"], true], [1000, ["a"], true], [2000, ["a"], false], [3000, ["a"], false]]);
    expect(t.map((s) => s.fired)).toEqual([["a"], [], [], []]);
    expect(t.map((s) => s.notify)).toEqual([[], [], ["firing:a"], []]);
  });

  it("in quiet hours, says nothing at all of an alert that fired and cleared inside them", () => {
    const t = run(rule({ forMs: 0 }), [[0, ["a"], true], [1000, [], true], [2000, [], false]]);
    expect(t.flatMap((s) => s.notify)).toEqual([]);
    expect(t[1]!.resolved).toEqual(["a"]);
  });

  it("in quiet hours, holds a resolved notice until they end, and drops it if the condition came back", () => {
    const held = run(rule({ forMs: 0 }), [[0, ["a"]], [1000, [], true], [2000, [], true], [3000, [], false]]);
    expect(held.map((s) => s.notify)).toEqual([["firing:a"], [], [], ["resolved:a"]]);
    expect(held[3]!.resolved).toEqual(["a"]);

    const back = run(rule({ forMs: 0 }), [[0, ["a"]], [1000, [], true], [2000, ["a"], true], [3000, ["a"], false]]);
    expect(back.flatMap((s) => s.notify)).toEqual(["firing:a"]);
    expect(back.flatMap((s) => s.resolved)).toEqual([]);
  });

  it("keeps the newest message of a firing alert (the cause may change)", () => {
    const state: RuleState = new Map();
    evaluateRule(rule({ forMs: 0 }), state, [obs("a", "at 86 °C")], 0, false);
    evaluateRule(rule({ forMs: 0 }), state, [obs("a", "at 91 °C")], 1000, false);
    expect(state.get("a")?.message).toBe("at 91 °C");
  });
});
