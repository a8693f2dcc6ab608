/**
 * vLLM and SGLang deploys, whole flow, against the STAND-IN image `switchyard/engine-standin:test`
 * (scripts/test-deps/engine-standin/README.md): the real images need GPUs and a registry, neither
 * of which is here. The stand-in takes each engine's documented command line, mimics its start-up
 * health (vLLM: port closed while loading; SGLang: /health 503 "Starting" while /v1/models is
 * already 200), then serves with the real llama-server. What is checked is Switchyard's side: the
 * container it creates, that it waits for the engine's real readiness signal, and that it serves.
 */
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DeploymentView } from "../../protocol/deployments";
import { writeTinyLlamaGguf } from "../fixtures/gguf/writer";
import { chat, nodeContainers, printedEndpoint, runCli, startDeployAgent } from "../helpers/deploy";
import { STANDIN_IMAGE, cleanupContainers, docker, dockerSkipReason } from "../helpers/docker";
import { startServer, waitFor, waitForNodesOnline, type Proc, type TestServer } from "../helpers/processes";

const NODE = `deploy-standin-${process.pid}`;
const skip = await dockerSkipReason(STANDIN_IMAGE);
/** The stand-in's loading phase (STANDIN_LOAD_S default). */
const LOAD_S = 2;

describe.skipIf(skip !== null)(`vLLM and SGLang through the engine stand-in${skip ? ` (skipped: ${skip})` : ""}`, () => {
  let dir: string;
  let modelDir: string;
  let server: TestServer;
  let agent: Proc;

  beforeAll(async () => {
    await cleanupContainers({ "switchyard.node": NODE });
    dir = await fs.mkdtemp(path.join(os.tmpdir(), "switchyard-standin-"));
    // A "Hugging Face folder" as vLLM/SGLang take it (config.json); the stand-in serves the GGUF in it.
    modelDir = path.join(dir, "tiny-hf");
    await fs.mkdir(modelDir);
    await fs.writeFile(path.join(modelDir, "config.json"), JSON.stringify({ architectures: ["LlamaForCausalLM"] }));
    await writeTinyLlamaGguf(path.join(modelDir, "model.gguf"), { deterministicWord: "Pong" });
    server = await startServer();
    agent = startDeployAgent(server, NODE, { portRange: "28300-28399" });
    await waitForNodesOnline(server, [NODE]);
  });

  afterAll(async () => {
    await agent?.stop();
    await server?.stop();
    await cleanupContainers({ "switchyard.node": NODE });
    await fs.rm(dir, { recursive: true, force: true });
  });

  const containerOf = async (name: string) => {
    const c = (await nodeContainers(NODE)).find((x) => x.Labels["switchyard.name"] === name);
    return docker().getContainer(c!.Id).inspect();
  };

  it("vLLM: `vllm serve DIR --served-model-name …`, ready only once the port opens after loading", async () => {
    const r = await runCli(server, ["deploy", "vllm", modelDir, "--name", "vllm-tiny", "--node", NODE, "--gpus", "none", "--image", STANDIN_IMAGE, "--ctx", "1024", "--util", "0.8", "--", "--enforce-eager"]);
    expect(r.code, r.stderr).toBe(0);
    // Refused while loading reads as "loading the model" for vLLM, not as a failure.
    expect(r.stderr).toMatch(/loading the model/);
    expect(Number(/ready on \S+ in (\d+\.\d) s/.exec(r.stdout)![1])).toBeGreaterThanOrEqual(LOAD_S);

    const info = await containerOf("vllm-tiny");
    expect(info.Path).toBe("vllm");
    expect(info.Args).toEqual([
      "serve", "/models/tiny-hf", "--served-model-name", "vllm-tiny", "--host", "0.0.0.0", "--port", "8000",
      "--tensor-parallel-size", "1", "--max-model-len", "1024", "--gpu-memory-utilization", "0.8", "--enforce-eager",
    ]);
    expect(info.HostConfig.IpcMode).toBe("host");
    expect(info.HostConfig.Binds).toContain(`${modelDir}:/models/tiny-hf:ro`);
    const logs = await runCli(server, ["logs", "vllm-tiny"]);
    expect(logs.stdout).toMatch(/stand-in vllm: vllm serve \/models\/tiny-hf --served-model-name vllm-tiny/);

    expect(await chat(printedEndpoint(r.stdout), "vllm-tiny")).toBe("Pong");
    expect((await runCli(server, ["stop", "vllm-tiny"])).code).toBe(0);
  });

  it("SGLang: `python3 -m sglang.launch_server --model-path …`, not ready while /health says Starting (though /v1/models answers)", async () => {
    const started = runCli(server, ["deploy", "sglang", modelDir, "--name", "sglang-tiny", "--node", NODE, "--gpus", "none", "--image", STANDIN_IMAGE, "--ctx", "1024"]);
    // While it warms up: /v1/models is 200 and /health 503, and Switchyard still says loading.
    const during = await waitFor("warm-up phase", async () => {
      const v = (await (await server.api("/api/deployments/sglang-tiny")).json()) as DeploymentView;
      if (v.state !== "loading" || !v.endpoint) return null;
      const models = await fetch(`${v.endpoint}/v1/models`).catch(() => null);
      return models?.status === 200 ? v : null;
    }, 20_000, 100);
    expect((await fetch(`${during.endpoint}/health`)).status).toBe(503);

    const r = await started;
    expect(r.code, r.stderr).toBe(0);
    const info = await containerOf("sglang-tiny");
    expect([info.Path, ...info.Args]).toEqual([
      "python3", "-m", "sglang.launch_server", "--model-path", "/models/tiny-hf", "--served-model-name", "sglang-tiny",
      "--host", "0.0.0.0", "--port", "30000", "--tp", "1", "--context-length", "1024", "--enable-metrics",
    ]);
    expect(info.HostConfig.IpcMode).toBe("host");
    expect(info.HostConfig.ShmSize).toBe(32 * 1024 ** 3);
    expect(info.HostConfig.Ulimits).toContainEqual({ Name: "stack", Soft: 67108864, Hard: 67108864 });
    // Daemons that may not raise memlock (this one, rootless ones) run it without, and say so.
    const v = (await (await server.api("/api/deployments/sglang-tiny")).json()) as DeploymentView;
    const memlock = info.HostConfig.Ulimits?.some((u) => u.Name === "memlock");
    if (!memlock) expect(v.warnings.join(" ")).toMatch(/refused an unlimited memlock limit/);

    expect(await chat(printedEndpoint(r.stdout), "sglang-tiny")).toBe("Pong");
    expect((await runCli(server, ["stop", "sglang-tiny"])).code).toBe(0);
    expect(await nodeContainers(NODE)).toEqual([]);
  });
});
