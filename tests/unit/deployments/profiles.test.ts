/**
 * Engine profiles against the engines' documented command lines (REFERENCE.md): what `docker run`
 * users type for vLLM, SGLang and llama.cpp, as Docker Engine API create requests.
 */
import { describe, expect, it } from "vitest";
import { apiKeyOnCommandLineWarning, buildContainerSpec, containerName, containerSecrets, profileFor, withoutMemlock } from "../../../agents/docker/profiles";
import { LABELS, isOurs } from "../../../agents/docker/labels";
import { deploySpecSchema, type DeploySpecInput } from "../../../protocol/deployments";

const HF = "/home/me/.cache/huggingface";

function build(input: Partial<DeploySpecInput> & Pick<DeploySpecInput, "engine" | "model">, hostPort = 18080) {
  const spec = deploySpecSchema.parse({
    id: "0b9e-4c1d-abcdef", name: "qwen", image: "img:1", gpus: [0, 1], servedName: "qwen", ...input,
  });
  return buildContainerSpec({ spec, node: "box1", hostPort, hfCacheDir: HF });
}

describe("vLLM profile", () => {
  it("is `vllm serve MODEL` with the documented flags, TP from the GPU count, host IPC; the API key in VLLM_API_KEY", () => {
    const c = build({
      engine: "vllm", model: { kind: "hf", repo: "Qwen/Qwen3-8B" }, ctx: 32768,
      options: { util: 0.85, kvCacheDtype: "fp8", quantization: "awq", apiKey: "sk-1" }, extraArgs: ["--max-num-seqs", "64"],
    });
    expect(c.Entrypoint).toEqual(["vllm", "serve"]);
    expect(c.Cmd).toEqual([
      "Qwen/Qwen3-8B", "--served-model-name", "qwen", "--host", "0.0.0.0", "--port", "8000",
      "--tensor-parallel-size", "2", "--max-model-len", "32768", "--gpu-memory-utilization", "0.85",
      "--kv-cache-dtype", "fp8", "--quantization", "awq", "--max-num-seqs", "64",
    ]);
    // On the command line the key would be in `ps aux` on the box and in `docker inspect`'s Args.
    expect(c.Env).toEqual(["VLLM_API_KEY=sk-1"]);
    expect(apiKeyOnCommandLineWarning({ engine: "vllm", options: { apiKey: "sk-1" } })).toBeNull();
    expect(c.Cmd).not.toContain("serve"); // never repeated after the entrypoint
    expect(c.HostConfig?.IpcMode).toBe("host");
    expect(c.HostConfig?.DeviceRequests).toEqual([{ Driver: "nvidia", DeviceIDs: ["0", "1"], Capabilities: [["gpu"]] }]);
    expect(c.ExposedPorts).toEqual({ "8000/tcp": {} });
    expect(c.HostConfig?.PortBindings).toEqual({ "8000/tcp": [{ HostIp: "0.0.0.0", HostPort: "18080" }] });
    expect(c.HostConfig?.Binds).toEqual([`${HF}:/root/.cache/huggingface`]);
    expect(c.HostConfig?.RestartPolicy).toEqual({ Name: "no" });
  });

  it("mounts a local model directory read-only and passes its path inside the container", () => {
    const c = build({ engine: "vllm", model: { kind: "dir", path: "/data/models/Llama-3.1-8B" }, gpus: [3] });
    expect(c.Cmd?.[0]).toBe("/models/Llama-3.1-8B");
    expect(c.HostConfig?.Binds).toContain("/data/models/Llama-3.1-8B:/models/Llama-3.1-8B:ro");
    expect(c.Cmd).toEqual(expect.arrayContaining(["--tensor-parallel-size", "1"]));
    expect(c.HostConfig?.DeviceRequests?.[0]?.DeviceIDs).toEqual(["3"]);
  });

  it("sleep mode (on-demand --unload sleep): --enable-sleep-mode, and VLLM_SERVER_DEV_MODE=1 for its endpoints", () => {
    const c = build({ engine: "vllm", model: { kind: "hf", repo: "Qwen/Qwen3-8B" }, sleepMode: true });
    expect(c.Cmd).toContain("--enable-sleep-mode");
    expect(c.Env).toEqual(["VLLM_SERVER_DEV_MODE=1"]);
    expect(build({ engine: "vllm", model: { kind: "hf", repo: "Qwen/Qwen3-8B" } }).Cmd).not.toContain("--enable-sleep-mode");
    expect(() => build({ engine: "llamacpp", model: { kind: "gguf", path: "/m/x.gguf" }, sleepMode: true })).toThrow(/llama\.cpp has no sleep mode/);
    expect(() => build({ engine: "sglang", model: { kind: "hf", repo: "Qwen/Qwen3-8B" }, sleepMode: true })).toThrow(/SGLang has no sleep mode/);
  });

  it("takes an explicit tensor-parallel size over the GPU count", () => {
    const c = build({ engine: "vllm", model: { kind: "hf", repo: "a/b" }, gpus: [0, 1, 2, 3], options: { tp: 2 } });
    expect(c.Cmd?.join(" ")).toContain("--tensor-parallel-size 2");
  });
});

describe("SGLang profile", () => {
  it("is `python3 -m sglang.launch_server --model-path M …` with its documented container needs", () => {
    const c = build({ engine: "sglang", model: { kind: "hf", repo: "Qwen/QwQ-32B" }, gpus: [0, 1, 2, 3], ctx: 131072, options: { util: 0.85 } });
    expect([...(c.Entrypoint as string[]), ...(c.Cmd ?? [])]).toEqual([
      "python3", "-m", "sglang.launch_server", "--model-path", "Qwen/QwQ-32B", "--served-model-name", "qwen",
      "--host", "0.0.0.0", "--port", "30000", "--tp", "4", "--context-length", "131072", "--mem-fraction-static", "0.85",
      "--enable-metrics",
    ]);
    expect(c.HostConfig).toMatchObject({
      IpcMode: "host",
      ShmSize: 32 * 1024 ** 3,
      Ulimits: [{ Name: "memlock", Soft: -1, Hard: -1 }, { Name: "stack", Soft: 67108864, Hard: 67108864 }],
    });
    expect(c.ExposedPorts).toEqual({ "30000/tcp": {} });
  });

  it("takes the API key only as --api-key (no environment form), and says so", () => {
    const c = build({ engine: "sglang", model: { kind: "hf", repo: "a/b" }, options: { apiKey: "sk-sg" } });
    expect(c.Cmd?.join(" ")).toContain("--api-key sk-sg --enable-metrics");
    expect(c.Env).toEqual([]);
    expect(apiKeyOnCommandLineWarning({ engine: "sglang", options: { apiKey: "sk-sg" } }))
      .toBe("SGLang takes --api-key on its command line: visible to users of the GPU box");
    expect(apiKeyOnCommandLineWarning({ engine: "sglang", options: {} })).toBeNull();
  });

  it("can drop the memlock limit for daemons that refuse it, keeping the rest", () => {
    const c = build({ engine: "sglang", model: { kind: "hf", repo: "a/b" } });
    expect(withoutMemlock(c)?.HostConfig?.Ulimits).toEqual([{ Name: "stack", Soft: 67108864, Hard: 67108864 }]);
    expect(withoutMemlock(build({ engine: "vllm", model: { kind: "hf", repo: "a/b" } }))).toBeNull();
  });
});

describe("llama.cpp profile", () => {
  it("keeps the image's llama-server entrypoint; -m from the GGUF's folder mounted read-only; -ngl 999 with GPUs", () => {
    const c = build({ engine: "llamacpp", model: { kind: "gguf", path: "/srv/gguf/qwen-Q4_K_M.gguf" }, gpus: [1], ctx: 8192, options: { parallel: 4, kvCacheDtype: "q8_0" } });
    expect(c.Entrypoint).toBeUndefined();
    expect(c.Cmd).toEqual([
      "-m", "/models/qwen-Q4_K_M.gguf", "--host", "0.0.0.0", "--port", "8080", "-a", "qwen", "--metrics",
      "-c", "8192", "-ngl", "999", "-np", "4", "-ctk", "q8_0", "-ctv", "q8_0",
    ]);
    expect(c.HostConfig?.Binds).toEqual([`${HF}:/root/.cache/huggingface`, "/srv/gguf:/models:ro"]);
  });

  it("passes the API key as LLAMA_API_KEY (llama-server's variable for --api-key), not on the command line", () => {
    const c = build({ engine: "llamacpp", model: { kind: "gguf", path: "/m/a.gguf" }, options: { apiKey: "sk-ll" }, secrets: { hfToken: "hf_x" } });
    expect(c.Cmd).not.toContain("--api-key");
    expect(c.Cmd).not.toContain("sk-ll");
    expect(c.Env).toEqual(["HF_TOKEN=hf_x", "LLAMA_API_KEY=sk-ll"]);
  });

  it("uses -hf repo:quant for a repo id and no GPU request (nor -ngl) on CPU", () => {
    const c = build({ engine: "llamacpp", model: { kind: "hf", repo: "ggml-org/gemma-3-1b-it-GGUF", quant: "Q4_K_M" }, gpus: [] });
    expect(c.Cmd?.slice(0, 2)).toEqual(["-hf", "ggml-org/gemma-3-1b-it-GGUF:Q4_K_M"]);
    expect(c.Cmd).not.toContain("-ngl");
    expect(c.HostConfig?.DeviceRequests).toBeUndefined();
  });

  it("refuses what llama.cpp cannot take, naming it", () => {
    expect(() => build({ engine: "llamacpp", model: { kind: "dir", path: "/m/dir" } })).toThrow(/GGUF files: '\/m\/dir' is a directory/);
    expect(() => build({ engine: "llamacpp", model: { kind: "gguf", path: "/m/a.gguf" }, options: { util: 0.9 } })).toThrow(/llama.cpp does not take a GPU memory fraction/);
    expect(() => build({ engine: "vllm", model: { kind: "hf", repo: "a/b", quant: "Q4_K_M" } })).toThrow(/':QUANT' suffix/);
    expect(() => profileFor("tgi")).toThrow(/unknown engine 'tgi': use one of vllm, sglang, llamacpp/);
  });
});

describe("every container", () => {
  it("is labelled as Switchyard's, with the public spec and never a secret", () => {
    const spec = deploySpecSchema.parse({
      id: "dep-1", name: "qwen", engine: "vllm", model: { kind: "hf", repo: "Qwen/Qwen3-8B" }, image: "img", gpus: [0],
      servedName: "qwen", options: { apiKey: "sk-secret-key" }, secrets: { hfToken: "hf_secret_token" },
    });
    const c = buildContainerSpec({ spec, node: "box1", hostPort: 18090, hfCacheDir: HF });
    expect(c.Labels).toMatchObject({
      [LABELS.managed]: "true", [LABELS.deployment]: "dep-1", [LABELS.name]: "qwen", [LABELS.engine]: "vllm",
      [LABELS.model]: "Qwen/Qwen3-8B", [LABELS.node]: "box1", [LABELS.port]: "18090",
    });
    expect(isOurs(c.Labels, "box1")).toBe(true);
    expect(isOurs(c.Labels, "box2")).toBe(false);
    expect(c.Env).toEqual(["HF_TOKEN=hf_secret_token", "VLLM_API_KEY=sk-secret-key"]);
    expect(JSON.stringify([c.Cmd, c.Entrypoint])).not.toMatch(/hf_secret_token|sk-secret-key/);
    expect(JSON.stringify(c.Labels)).not.toMatch(/hf_secret_token|sk-secret-key/);
    expect(JSON.parse(c.Labels![LABELS.spec]!).options.apiKey).toBe("[redacted]");
    expect(c.name).toBe(containerName(spec));
    expect(c.name).toMatch(/^switchyard-qwen-\w+$/);
  });
});

describe("secrets read back from a container (agent restart)", () => {
  it("finds the HF token and API keys in its environment, and SGLang's --api-key in its command", () => {
    expect(containerSecrets({
      env: ["PATH=/bin", "HF_TOKEN=hf_1", "VLLM_API_KEY=k1", "LLAMA_API_KEY=k2", "EMPTY_OK=", "HF_TOKEN_X=nope"],
      args: ["python3", "-m", "sglang.launch_server", "--api-key", "k3", "--x", "--api-key=k4"],
    }).sort()).toEqual(["hf_1", "k1", "k2", "k3", "k4"]);
    expect(containerSecrets({ env: [], args: [] })).toEqual([]);
  });
});
