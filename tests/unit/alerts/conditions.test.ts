/** Each rule kind's condition over plain inputs: thresholds, scopes, and messages that name the cause. */
import { describe, expect, it } from "vitest";
import type { NodeView } from "../../../protocol/live";
import { observe } from "../../../server/core/alerts/conditions";
import type { AlertInputs } from "../../../server/core/alerts/conditions/inputs";
import { ruleConfigSchema } from "../../../server/core/alerts/config-schema";
import { normalizeRule } from "../../../server/core/alerts/rules";
import { gpu, snapshot } from "../../helpers/samples";

const rule = (spec: Record<string, unknown>) => normalizeRule(ruleConfigSchema.parse({ notify: ["phone"], ...spec }), "r", "config");

function node(name: string, over: Partial<NodeView> = {}): NodeView {
  const s = snapshot();
  return {
    id: name, name, online: true, lastSeen: 1, agentVersion: "t", facts: null as never, driver: s.driver,
    host: { ...s.host, diskUsedBytes: 50e9, diskTotalBytes: 100e9 }, gpus: s.gpus, processes: s.processes, warnings: [], ...over,
  };
}

function inputs(over: Partial<AlertInputs> = {}): AlertInputs {
  return { nodes: [], deploymentOfPid: () => null, deployments: [], backends: [], routes: [], ...over };
}

describe("conditions", () => {
  it("node-offline: offline nodes within scope", () => {
    const i = inputs({ nodes: [node("box1"), node("box2", { online: false }), node("lab-3", { online: false })] });
    expect(observe(rule({ when: "node-offline" }), i, 0).map((o) => o.key)).toEqual(["box2", "lab-3"]);
    expect(observe(rule({ when: "node-offline", nodes: ["lab-*"] }), i, 0).map((o) => o.key)).toEqual(["lab-3"]);
  });

  it("gpu-temperature: above the threshold, per GPU, naming the busiest process", () => {
    const n = node("box1", {
      gpus: [gpu(0, { tempC: 91 }), gpu(1, { tempC: 60 }), gpu(2, { tempC: null })],
      processes: [{ gpuUuid: "GPU-test-0", pid: 42, name: "python3", usedMiB: 20480 }],
    });
    const obs = observe(rule({ when: "gpu-temperature", above: 85 }), inputs({ nodes: [n], deploymentOfPid: (_n, pid) => (pid === 42 ? "qwen3-8b" : null) }), 0);
    expect(obs).toHaveLength(1);
    expect(obs[0]).toMatchObject({ key: "box1/gpu0", subject: { node: "box1", gpu: 0 } });
    expect(obs[0]!.message).toBe("GPU 0 (NVIDIA GeForce RTX 3090) on box1 is at 91 °C, above 85 °C, 0% busy; busiest process: python3 (pid 42, deployment qwen3-8b) 20 GiB");
    expect(observe(rule({ when: "gpu-temperature", above: 85, gpus: [1] }), inputs({ nodes: [n] }), 0)).toEqual([]);
  });

  it("gpu-memory: percent used, with who holds it", () => {
    const n = node("box1", {
      gpus: [gpu(0, { memUsedMiB: 23000, memTotalMiB: 24576 }), gpu(1, { memUsedMiB: 1000 })],
      processes: [{ gpuUuid: "GPU-test-0", pid: 7, name: "./gpu_burn", usedMiB: 15690 }, { gpuUuid: "GPU-test-0", pid: 8, name: "memhog", usedMiB: 2566 }],
    });
    const [o, ...rest] = observe(rule({ when: "gpu-memory", above: 90 }), inputs({ nodes: [n] }), 0);
    expect(rest).toEqual([]);
    expect(o!.message).toMatch(/^GPU 0 \(NVIDIA GeForce RTX 3090\) on box1 has 93\.6% of its memory in use \(22\.5 of 24 GiB\), above 90%; held by \.\/gpu_burn \(pid 7\) 15\.3 GiB, memhog \(pid 8\) 2\.5 GiB$/);
  });

  it("disk-usage: the host's disk above the threshold; unknown disks never fire", () => {
    const full = node("box1", { host: { ...snapshot().host, diskUsedBytes: 95e9, diskTotalBytes: 100e9 } });
    const unknown = node("box2", { host: snapshot().host });
    expect(observe(rule({ when: "disk-usage", above: 90 }), inputs({ nodes: [full, unknown, node("box3")] }), 0).map((o) => o.message))
      .toEqual(["the disk of box1 is 95% full (95 of 100 GB), above 90%"]);
  });

  it("deployment-failed: a crash with its last log lines, and a restart loop", () => {
    const logs = Array.from({ length: 15 }, (_, i) => `line ${i}`);
    const i = inputs({ deployments: [
      { name: "crashy", node: "box1", state: "failed", desired: "running", reason: "the engine exited with code 1", logs, restartTimes: [] },
      { name: "loopy", node: "box1", state: "starting", desired: "running", reason: null, logs: [], restartTimes: [1000, 2000, 3000] },
      { name: "stopped", node: "box1", state: "failed", desired: "stopped", reason: "x", logs: [], restartTimes: [] },
      { name: "fine", node: "box1", state: "ready", desired: "running", reason: null, logs: [], restartTimes: [1000] },
      // A crash the agent restarts by itself is a restart (counted for loops), not a failure.
      { name: "restarting", node: "box1", state: "failed", desired: "running", reason: "the engine exited with code 1; restarting in 2 s", logs: [], restartTimes: [1000] },
    ] });
    const obs = observe(rule({ when: "deployment-failed" }), i, 5000);
    expect(obs.map((o) => o.key)).toEqual(["crashy", "loopy"]);
    expect(obs[0]!.message).toBe(`deployment crashy on box1 failed: the engine exited with code 1\nlast log lines:\n${logs.slice(5).join("\n")}`);
    expect(obs[1]!.message).toBe("deployment loopy on box1 is restarting in a loop: 3 restarts in 10m (now starting)");
    // Restarts older than the window do not count.
    expect(observe(rule({ when: "deployment-failed", window: "2s" }), i, 5000).map((o) => o.key)).toEqual(["crashy"]);
  });

  it("backend-down: health checks failing, with the upstream's error", () => {
    const i = inputs({ backends: [{ name: "cloud", up: false, error: "connect ECONNREFUSED 127.0.0.1:9", kind: "cloud" }, { name: "box2", up: null, error: null, kind: "openai-compatible" }] });
    expect(observe(rule({ when: "backend-down" }), i, 0).map((o) => o.message)).toEqual(["backend cloud is down: connect ECONNREFUSED 127.0.0.1:9"]);
  });

  it("failover: a route served off its first tier, in the words of a cloud outage", () => {
    const moved = { route: "claude-sonnet-4-5", primary: ["cloud/claude-sonnet-4-5"], primaryKinds: ["cloud"], servedBy: "box2/glm-4.5-air", since: 1, why: "HTTP 529 overloaded" };
    const home = { ...moved, route: "other", servedBy: "cloud/claude-sonnet-4-5" };
    const obs = observe(rule({ when: "failover" }), inputs({ routes: [moved, home] }), 0);
    expect(obs.map((o) => o.message)).toEqual(["cloud outage: claude-sonnet-4-5 now served by box2/glm-4.5-air (cloud/claude-sonnet-4-5: HTTP 529 overloaded)"]);
  });
});

describe("rule config", () => {
  it.each([
    [{ when: "node-offline", above: 5 }, /node-offline has no threshold/],
    [{ when: "gpu-memory", above: 150 }, /between 0 and 100 %/],
    [{ when: "backend-down", gpus: [0] }, /cannot be scoped by gpus/],
    [{ when: "gpu-temperature", for: "soon" }, /must be a duration/],
    [{ when: "gpu-temperature", repeat: "5s" }, /at least 1m/],
    [{ when: "failover", restarts: 3 }, /deployment-failed only/],
    [{ when: "gpu-temperature", quietHours: { from: "25:00", to: "07:00" } }, /HH:MM/],
    [{ when: "gpu-temperature", quietHours: { from: "22:00", to: "07:00", timezone: "Mars/Olympus" } }, /not a time zone/],
    [{ when: "cpu-fire" }, /must be one of/],
  ])("refuses %j", (spec, why) => {
    const r = ruleConfigSchema.safeParse({ notify: ["phone"], ...spec });
    expect(r.success).toBe(false);
    expect(r.error!.issues.map((i) => i.message).join("; ")).toMatch(why);
  });

  it("applies each kind's defaults", () => {
    expect(rule({ when: "gpu-temperature" })).toMatchObject({ above: 85, forMs: 60_000, repeatMs: null, sendResolved: true });
    expect(rule({ when: "node-offline", for: "30s", repeat: "1h" })).toMatchObject({ above: null, forMs: 30_000, repeatMs: 3_600_000 });
    expect(rule({ when: "deployment-failed" })).toMatchObject({ forMs: 0, loopRestarts: 3, loopWindowMs: 600_000 });
  });
});
