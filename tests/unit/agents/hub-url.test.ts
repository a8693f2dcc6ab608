import { describe, expect, it } from "vitest";
import { hubUrl } from "../../../agents/connection";

describe("hubUrl", () => {
  it.each([
    ["http://box:3000", "ws://box:3000/ws/agent"],
    ["https://gpu.lan", "wss://gpu.lan/ws/agent"],
    ["ws://10.0.0.2:3000/", "ws://10.0.0.2:3000/ws/agent"],
    ["wss://h/custom/ws/agent", "wss://h/custom/ws/agent"],
  ])("%s → %s", (input, expected) => expect(hubUrl(input)).toBe(expected));

  it("refuses other schemes with a message naming the flag", () => {
    expect(() => hubUrl("ftp://x")).toThrow(/--server must be/);
  });
});
