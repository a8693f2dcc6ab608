/** Resolved notices say what really happened: recovered, removed, or no more data from an offline node. */
import { describe, expect, it } from "vitest";
import { noticeTitle, resolvedMessage } from "../../../server/core/alerts/notice";

describe("resolved messages", () => {
  it.each([
    ["node-offline", { node: "box2" }, null, "node box2 is back online after 1m30s"],
    ["node-offline", { node: "box2" }, "removed", "node box2 was removed from the fleet after 1m30s; was: it was bad"],
    ["gpu-temperature", { node: "box1", gpu: 0 }, null, "back within the threshold after 1m30s; was: it was bad"],
    ["gpu-temperature", { node: "box1", gpu: 0 }, "offline", "no more data: node box1 went offline after 1m30s; was: it was bad"],
    ["deployment-failed", { node: "box1", deployment: "qwen" }, null, "deployment qwen is running again after 1m30s; was: it was bad"],
    ["deployment-failed", { node: "box1", deployment: "qwen" }, "removed", "deployment qwen was stopped and removed after 1m30s; was: it was bad"],
    ["backend-down", { backend: "cloud" }, null, "backend cloud is up again after 1m30s"],
    ["failover", { route: "claude-sonnet-4-5" }, null, "claude-sonnet-4-5 is served by its first target again after 1m30s; was: it was bad"],
  ] as const)("%s %j (%s)", (kind, subject, lost, text) => {
    expect(resolvedMessage(kind, subject, "it was bad\nlog line", 0, 90_000, lost)).toBe(text);
  });

  it("titles name the state, rule and subject", () => {
    const base = { rule: "gpu-memory" as const, ruleName: "r", subject: { node: "box1", gpu: 3 }, message: "", at: 0, since: 0, test: false };
    expect(noticeTitle({ ...base, state: "firing", repeat: true })).toBe("[STILL FIRING] gpu-memory: box1 GPU 3");
    expect(noticeTitle({ ...base, state: "resolved", repeat: false })).toBe("[RESOLVED] gpu-memory: box1 GPU 3");
  });
});
