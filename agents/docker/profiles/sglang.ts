/**
 * SGLang (`lmsysorg/sglang`): the image has no server entrypoint, so the entrypoint is set to
 * `python3 -m sglang.launch_server` (whatever the image's own is) and the command is its flags.
 * Needs host IPC, 32 GiB of shared memory, unlimited memlock and a 64 MiB stack (its documented
 * `docker run`).
 */
import type { EngineProfile } from "./types";
import { flag } from "./args";

const GiB = 1024 ** 3;

export const sglangProfile: EngineProfile = {
  engine: "sglang",
  containerPort: 30000,
  entrypoint: ["python3", "-m", "sglang.launch_server"],
  supports: ["util", "kvCacheDtype", "quantization", "tp", "apiKey"],
  args(spec, model) {
    const o = spec.options;
    return [
      "--model-path", model.arg,
      "--served-model-name", spec.servedName,
      "--host", "0.0.0.0",
      "--port", String(this.containerPort),
      "--tp", String(o.tp ?? Math.max(1, spec.gpus.length)),
      ...flag("--context-length", spec.ctx),
      ...flag("--mem-fraction-static", o.util),
      ...flag("--kv-cache-dtype", o.kvCacheDtype),
      ...flag("--quantization", o.quantization),
      // SGLang has no environment form of --api-key (its ServerArgs read only the flag), so the key
      // stays on the command line, visible in `ps aux` on the GPU box and in `docker inspect`. The
      // deployer says so in a warning on the deployment (apiKeyOnCommandLineWarning).
      ...flag("--api-key", o.apiKey),
      "--enable-metrics",
    ];
  },
  hostConfig: {
    IpcMode: "host",
    ShmSize: 32 * GiB,
    Ulimits: [
      { Name: "memlock", Soft: -1, Hard: -1 },
      { Name: "stack", Soft: 67_108_864, Hard: 67_108_864 },
    ],
  },
  startupTimeoutS: 1800,
};
