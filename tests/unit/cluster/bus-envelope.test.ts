import { describe, expect, it } from "vitest";
import { BusMessageError, MAX_INLINE_BYTES, MAX_SPILLED_BYTES, decodeEnvelope, decodeSpilled, encodeMessage, isForMe } from "../../../server/cluster/bus-envelope";

describe("bus envelopes", () => {
  it("carries a small body inline and round-trips it", () => {
    const out = encodeMessage({ from: "srv-a", topic: "fleet.views" }, { n: 1 });
    expect("inline" in out).toBe(true);
    const decoded = decodeEnvelope((out as { inline: string }).inline);
    expect(decoded).toEqual({ ok: true, envelope: { v: 1, f: "srv-a", k: "fleet.views", b: { n: 1 } } });
  });

  it("spills a body that does not fit a NOTIFY payload, and refuses one larger than the bus carries", () => {
    const out = encodeMessage({ from: "srv-a", to: "srv-b", topic: "relay.res" }, { text: "x".repeat(MAX_INLINE_BYTES) });
    expect("spill" in out && JSON.parse(out.spill)).toEqual({ text: "x".repeat(MAX_INLINE_BYTES) });
    expect(() => encodeMessage({ from: "srv-a", topic: "relay.res" }, { text: "x".repeat(MAX_SPILLED_BYTES) })).toThrow(BusMessageError);
    expect(() => encodeMessage({ from: "srv-a", topic: "Bad Topic" }, {})).toThrow(/bad bus topic/);
  });

  it.each([
    ["not JSON", "{", /not JSON/],
    ["over the NOTIFY limit", "x".repeat(8001), /over the NOTIFY limit/],
    ["another version", JSON.stringify({ v: 2, f: "a", k: "t", b: 1 }), /./],
    ["a server id with odd characters", JSON.stringify({ v: 1, f: "a b", k: "t", b: 1 }), /./],
    ["a topic with odd characters", JSON.stringify({ v: 1, f: "a", k: "T!", b: 1 }), /./],
    ["a body and a reference", JSON.stringify({ v: 1, f: "a", k: "t", b: 1, r: 2 }), /body or a reference/],
    ["neither", JSON.stringify({ v: 1, f: "a", k: "t" }), /body or a reference/],
    ["a negative reference", JSON.stringify({ v: 1, f: "a", k: "t", r: -1 }), /./],
  ])("refuses %s", (_what, payload, reason) => {
    const d = decodeEnvelope(payload);
    expect(d.ok).toBe(false);
    expect(!d.ok && d.reason).toMatch(reason);
  });

  it("refuses a spilled body that is not JSON", () => {
    expect(decodeSpilled("{nope")).toEqual({ ok: false, reason: "spilled body is not JSON" });
    expect(decodeSpilled('{"a":1}')).toEqual({ ok: true, body: { a: 1 } });
  });

  it("is for every other server, or the one named; never for its sender", () => {
    const e = (t?: string) => ({ v: 1 as const, f: "a", k: "x", b: 1, ...(t ? { t } : {}) });
    expect(isForMe(e(), "b")).toBe(true);
    expect(isForMe(e(), "a")).toBe(false);
    expect(isForMe(e("b"), "b")).toBe(true);
    expect(isForMe(e("c"), "b")).toBe(false);
  });
});
