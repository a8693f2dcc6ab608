/** What users type, parsed: MODEL, the deploy command line (and back), GPU choices, placement. */
import { describe, expect, it } from "vitest";
import { parseDeployArgs, resolveModelArg } from "../../../cli/deploy-args";
import { deployCommandLine } from "../../../protocol/deploy-command";
import { defaultNameFor, parseModelRef } from "../../../protocol/model-ref";
import { formatIndices, parseGpuChoice, placementCandidates } from "../../../server/core/deployments/placement";
import type { NodeView } from "../../../protocol/live";
import { gpu } from "../../helpers/samples";

describe("MODEL", () => {
  it.each([
    ["Qwen/Qwen3-8B", { kind: "hf", repo: "Qwen/Qwen3-8B" }],
    ["ggml-org/gemma-3-1b-it-GGUF:Q4_K_M", { kind: "hf", repo: "ggml-org/gemma-3-1b-it-GGUF", quant: "Q4_K_M" }],
    ["/srv/models/llama.Q4_K_M.gguf", { kind: "gguf", path: "/srv/models/llama.Q4_K_M.gguf" }],
    ["/srv/models/Llama-3.1-8B/", { kind: "dir", path: "/srv/models/Llama-3.1-8B" }],
  ])("%s", (text, ref) => expect(parseModelRef(text)).toEqual(ref));

  it("refuses relative paths and nonsense with a reason", () => {
    expect(() => parseModelRef("models/x.gguf")).toThrow(/must be absolute: it is a path on the node/);
    expect(() => parseModelRef("just-a-name")).toThrow(/is not a model/);
  });

  it("names deployments after the model", () => {
    expect(defaultNameFor(parseModelRef("Qwen/Qwen3-8B"))).toBe("qwen3-8b");
    expect(defaultNameFor(parseModelRef("/m/Tiny_Model-Q4_K_M.gguf"))).toBe("tiny_model-q4_k_m");
  });
});

describe("switchyard deploy arguments", () => {
  it("reads options and passes what follows -- to the engine", () => {
    const cmd = parseDeployArgs(
      ["vllm", "Qwen/Qwen3-8B", "--name", "qwen", "--gpus", "0,1", "--ctx", "32768", "--port", "8001", "--util", "0.85", "--restart", "on-failure", "--", "--max-num-seqs", "64"],
      "/home/me", "/home/me",
    );
    expect(cmd.body).toEqual({
      engine: "vllm", model: "Qwen/Qwen3-8B", name: "qwen", gpus: "0,1", ctx: 32768, port: 8001,
      restart: "on-failure", options: { util: 0.85 }, extraArgs: ["--max-num-seqs", "64"],
    });
    expect(cmd.wait).toBe(true);
  });

  it("resolves relative model paths against the working directory (the node is usually this machine)", () => {
    expect(resolveModelArg("models/a.gguf", "/work", "/home/me")).toBe("/work/models/a.gguf");
    expect(resolveModelArg("~/m/a.gguf", "/work", "/home/me")).toBe("/home/me/m/a.gguf");
    expect(resolveModelArg("org/repo", "/work", "/home/me")).toBe("org/repo");
  });

  it("refuses bad values before asking the server (exit code 2)", () => {
    expect(() => parseDeployArgs(["vllm"], "/", "/")).toThrow(/needs ENGINE and MODEL/);
    expect(() => parseDeployArgs(["vllm", "a/b", "--ctx", "lots"], "/", "/")).toThrow(/--ctx must be a whole number/);
    expect(() => parseDeployArgs(["vllm", "a/b", "--util", "1.5"], "/", "/")).toThrow(/between 0 and 1/);
    expect(() => parseDeployArgs(["vllm", "a/b", "extra"], "/", "/")).toThrow(/engine arguments go after '--'/);
    try {
      parseDeployArgs(["vllm", "a/b", "--port", "99999"], "/", "/");
    } catch (err) {
      expect((err as { exitCode: number }).exitCode).toBe(2);
    }
  });

  it("round-trips through the command line the dashboard shows", () => {
    const body = {
      engine: "llamacpp", model: "/srv/My Models/x.gguf", name: "x", node: "box1", gpus: "none", ctx: 4096,
      options: { parallel: 4, kvCacheDtype: "q8_0" }, extraArgs: ["--temp", "0.2", "it's"],
    };
    const line = deployCommandLine(body);
    expect(line).toBe("npx switchyard deploy llamacpp '/srv/My Models/x.gguf' --name x --node box1 --gpus none --ctx 4096 --kv-cache-dtype q8_0 --parallel 4 -- --temp 0.2 'it'\\''s'");
    const argv = ["llamacpp", "/srv/My Models/x.gguf", "--name", "x", "--node", "box1", "--gpus", "none", "--ctx", "4096", "--kv-cache-dtype", "q8_0", "--parallel", "4", "--", "--temp", "0.2", "it's"];
    expect(parseDeployArgs(argv, "/", "/").body).toEqual(body);
  });
});

describe("GPU choice and placement", () => {
  const node = (name: string, gpus: NodeView["gpus"], online = true): NodeView => ({
    id: name, name, online, lastSeen: 0, agentVersion: null, facts: null, driver: null, host: null, gpus, processes: [], warnings: [],
  });
  const box1 = node("box1", [gpu(0, { memUsedMiB: 20000 }), gpu(1, { memUsedMiB: 1000 }), gpu(2, { memUsedMiB: 500 }), gpu(3, { memUsedMiB: 24000 })]);
  const box2 = node("box2", [gpu(0, { memUsedMiB: 100 })]);
  const cpu = node("cpu1", []);

  it("parses --gpus", () => {
    expect(parseGpuChoice("0,1,1")).toEqual([0, 1]);
    expect(parseGpuChoice("all")).toBe("all");
    expect(parseGpuChoice("none")).toBe("none");
    expect(parseGpuChoice(undefined)).toBeUndefined();
    expect(() => parseGpuChoice("0;1")).toThrow(/must be GPU indices like 0,1/);
    expect(formatIndices([0, 1, 2, 3])).toBe("0–3");
    expect(formatIndices([0, 2])).toBe("0, 2");
  });

  it("never places anything on a simulated demo box, and says so when one is named", () => {
    const demo: NodeView = { ...node("atlas", [gpu(0, { memUsedMiB: 0 }), gpu(1, { memUsedMiB: 0 })]), facts: { hostname: "vm", os: "linux", arch: "x64", cpuModel: null, cpuCores: 2, memTotalBytes: 1, simulated: true } };
    const picked = placementCandidates([demo, box2], { engine: "llamacpp", gpus: "none" });
    expect(new Set(picked.map((c) => c.node))).toEqual(new Set(["box2"]));
    expect(() => placementCandidates([demo], { engine: "vllm", gpus: undefined })).toThrow(/no node is online.*demo boxes run no containers/);
    expect(() => placementCandidates([demo], { engine: "vllm", node: "atlas", gpus: undefined })).toThrow("node atlas is a simulated demo box and runs no containers: pick a real --node");
  });

  it("checks given GPUs against the node, naming what it has", () => {
    expect(() => placementCandidates([box1], { engine: "vllm", node: "box1", gpus: [7] })).toThrow("GPU 7 is not on node box1 (it has 0–3)");
    expect(() => placementCandidates([cpu], { engine: "llamacpp", node: "cpu1", gpus: [0] })).toThrow("GPU 0 is not on node cpu1 (it has no GPUs)");
    expect(() => placementCandidates([cpu], { engine: "vllm", node: "cpu1", gpus: "all" })).toThrow(/has no GPUs: deploy with --gpus none/);
    expect(() => placementCandidates([box1], { engine: "vllm", node: "nope", gpus: undefined })).toThrow(/no node named 'nope' \(known: box1\)/);
    expect(() => placementCandidates([node("off", [gpu(0)], false)], { engine: "vllm", node: "off", gpus: undefined })).toThrow(/offline/);
    expect(placementCandidates([box1], { engine: "vllm", node: "box1", gpus: [3, 1] })[0]!.gpus).toEqual([3, 1]);
  });

  it("chooses the GPUs with the most free VRAM, spreading over ones Switchyard already uses", () => {
    expect(placementCandidates([box1], { engine: "vllm", node: "box1", gpus: undefined })[0]!.gpus).toEqual([2]);
    expect(placementCandidates([box1], { engine: "vllm", node: "box1", gpus: undefined, count: 2 })[0]!.gpus).toEqual([1, 2]);
    const claims = new Map([["box1/2", 1]]);
    expect(placementCandidates([box1], { engine: "vllm", node: "box1", gpus: undefined }, claims)[0]!.gpus).toEqual([1]);
  });

  it("picks the node where the chosen GPUs have the most free memory, and CPU nodes only for llama.cpp", () => {
    expect(placementCandidates([box1, box2], { engine: "vllm", gpus: undefined })[0]).toMatchObject({ node: "box2", gpus: [0] });
    expect(placementCandidates([cpu, box2], { engine: "vllm", gpus: undefined }).map((c) => c.node)).toEqual(["box2"]);
    expect(placementCandidates([cpu], { engine: "llamacpp", gpus: undefined })[0]).toMatchObject({ node: "cpu1", gpus: [] });
    expect(() => placementCandidates([cpu], { engine: "sglang", gpus: undefined })).toThrow(/node cpu1 has no GPUs and sglang needs one/);
    expect(() => placementCandidates([], { engine: "vllm", gpus: undefined })).toThrow(/no node is online/);
  });

  it("carries unknown GPU memory as null, and does not rank it as full", () => {
    const mig = node("mig", [gpu(0, { memTotalMiB: null, memUsedMiB: null }), gpu(1, { memUsedMiB: 24576 }), gpu(2, { memUsedMiB: 4000 })]);
    const [best, next, last] = placementCandidates([mig], { engine: "vllm", node: "mig", gpus: undefined });
    // Known free memory first, unknown next, a GPU known to be full last.
    expect([best, next, last].map((c) => c!.gpus)).toEqual([[2], [0], [1]]);
    expect(next).toMatchObject({ freeMiB: [null], totalMiB: [null] });
    expect(placementCandidates([mig], { engine: "vllm", node: "mig", gpus: [0] })[0]).toMatchObject({ freeMiB: [null], totalMiB: [null] });
    // Across nodes: an unknown node is not taken for a full one.
    const full = node("full", [gpu(0, { memUsedMiB: 24576 })]);
    const unknown = node("unknown", [gpu(0, { memTotalMiB: null, memUsedMiB: null })]);
    expect(placementCandidates([full, unknown], { engine: "vllm", gpus: undefined }).map((c) => c.node)).toEqual(["unknown", "full"]);
  });
});

describe("switchyard deploy --on-demand", () => {
  it("registers with a policy: durations as people write them", () => {
    const { body } = parseDeployArgs(["llamacpp", "/m/x.gguf", "--on-demand", "--idle-timeout", "15m", "--load-timeout", "90s", "--unload", "remove", "--preload"], "/", "/");
    expect(body.onDemand).toEqual({ idleTimeoutS: 900, loadTimeoutS: 90, unload: "remove", preload: true });
    expect(parseDeployArgs(["vllm", "a/b", "--on-demand", "--idle-timeout", "2h"], "/", "/").body.onDemand).toEqual({ idleTimeoutS: 7200 });
    expect(parseDeployArgs(["vllm", "a/b", "--on-demand", "--idle-timeout", "45"], "/", "/").body.onDemand).toEqual({ idleTimeoutS: 45 });
    expect(parseDeployArgs(["vllm", "a/b"], "/", "/").body.onDemand).toBeUndefined();
  });

  it.each([
    [["--idle-timeout", "10m"], /--idle-timeout is for on-demand deployments: add --on-demand/],
    [["--on-demand", "--idle-timeout", "soon"], /--idle-timeout must be a duration like 90s, 15m or 2h/],
    [["--on-demand", "--idle-timeout", "0s"], /--idle-timeout must be a duration/],
    [["--on-demand", "--load-timeout", "2d"], /--load-timeout must be at most 24 h/],
    [["--on-demand", "--unload", "hibernate"], /--unload must be one of remove, sleep/],
  ])("refuses %j", (extra, message) => {
    expect(() => parseDeployArgs(["vllm", "a/b", ...extra], "/", "/")).toThrow(message);
  });

  it("round-trips through the command line the dashboard shows", () => {
    const body = { engine: "vllm", model: "Qwen/Qwen3-8B", name: "q", onDemand: { idleTimeoutS: 600, loadTimeoutS: 300, unload: "sleep" as const, preload: true } };
    const line = deployCommandLine(body);
    expect(line).toBe("npx switchyard deploy vllm Qwen/Qwen3-8B --name q --on-demand --idle-timeout 10m --load-timeout 5m --unload sleep --preload");
    expect(parseDeployArgs(line.split(" ").slice(3), "/", "/").body).toEqual(body);
  });
});
