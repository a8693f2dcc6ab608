/**
 * Deployments on several servers: what a server keeps of a change another server sent, given what
 * it already applied. A report can reach two servers in either order (the answer to a deploy on the
 * server that asked, a later state event on the one holding the agent): the newer report wins.
 */
import { describe, expect, it } from "vitest";
import { publicSpecSchema } from "../../../protocol/deployments";
import { mergeRemote } from "../../../server/core/deployments/replica";
import type { DeploymentRecord } from "../../../server/core/deployments/types";

const record = (over: Partial<DeploymentRecord> = {}): DeploymentRecord => ({
  id: "d1", name: "qwen", node: "box1",
  spec: publicSpecSchema.parse({ id: "d1", name: "qwen", engine: "llamacpp", model: { kind: "gguf", path: "/m/q.gguf" }, image: "img", gpus: [], servedName: "qwen", options: {} }),
  desired: "running", state: "starting", reason: null, logs: [], containerId: "c1", port: 18080, restarts: 0, warnings: [],
  createdAt: 1, updatedAt: 1, startedAt: null, readyAt: null, onDemand: null, lastRequestAt: null, pids: [], progress: null, ...over,
});

describe("mergeRemote", () => {
  it("takes a change it has nothing of", () => {
    const remote = record({ state: "ready" });
    expect(mergeRemote(null, undefined, remote, 3)).toEqual({ record: remote, seq: 3 });
  });

  it("takes a newer report whole", () => {
    const remote = record({ state: "ready", readyAt: 5 });
    expect(mergeRemote(record(), 2, remote, 5)).toEqual({ record: remote, seq: 5 });
  });

  it("keeps its newer report against an older one, but takes what was asked (a stop)", () => {
    const local = record({ state: "ready", readyAt: 5 });
    const merged = mergeRemote(local, 5, record({ state: "starting", desired: "stopped" }), 1);
    expect(merged).toEqual({ record: { ...local, desired: "stopped" }, seq: 5 });
  });

  it("takes a change without a report sequence whole, and starts the count again (a redeploy)", () => {
    const remote = record({ state: "pending", containerId: null });
    expect(mergeRemote(record({ state: "failed" }), 9, remote, null)).toEqual({ record: remote, seq: null });
  });
});
