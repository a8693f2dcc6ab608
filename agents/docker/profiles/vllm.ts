/**
 * vLLM (`vllm/vllm-openai`): entrypoint `vllm serve`, the model positional (never repeat `serve`).
 * Needs the host's IPC namespace for NCCL/PyTorch shared memory. Loads before it opens its port.
 * The API key goes in `VLLM_API_KEY` (vLLM reads it when `--api-key` is absent), not on the command line.
 * Sleep mode (vLLM's docs, "Sleep Mode"): `--enable-sleep-mode`, and the endpoints POST /sleep?level=1,
 * POST /wake_up, GET /is_sleeping, which vLLM serves only with VLLM_SERVER_DEV_MODE=1. Level 1 moves
 * the weights to CPU memory and drops the KV cache: the GPU keeps little more than its CUDA context.
 */
import type { EngineProfile } from "./types";
import { flag } from "./args";

export const vllmProfile: EngineProfile = {
  engine: "vllm",
  containerPort: 8000,
  entrypoint: ["vllm", "serve"],
  supports: ["util", "kvCacheDtype", "quantization", "tp", "apiKey"],
  args(spec, model) {
    const o = spec.options;
    return [
      model.arg,
      "--served-model-name", spec.servedName,
      "--host", "0.0.0.0",
      "--port", String(this.containerPort),
      "--tensor-parallel-size", String(o.tp ?? Math.max(1, spec.gpus.length)),
      ...flag("--max-model-len", spec.ctx),
      ...flag("--gpu-memory-utilization", o.util),
      ...flag("--kv-cache-dtype", o.kvCacheDtype),
      ...flag("--quantization", o.quantization),
      ...(spec.sleepMode ? ["--enable-sleep-mode"] : []),
    ];
  },
  env: (spec) => (spec.sleepMode ? ["VLLM_SERVER_DEV_MODE=1"] : []),
  sleep: { sleep: "/sleep?level=1", wake: "/wake_up", isSleeping: "/is_sleeping" },
  apiKeyEnv: "VLLM_API_KEY",
  hostConfig: { IpcMode: "host" },
  // 70B models with torch.compile take 10+ minutes on a cold cache.
  startupTimeoutS: 1800,
};
