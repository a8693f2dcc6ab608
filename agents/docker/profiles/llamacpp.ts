/**
 * llama.cpp server (`ghcr.io/ggml-org/llama.cpp:server[-cuda]`): the image's entrypoint is
 * llama-server, so the command is only its arguments. Its default port is moving (8080 → 9931), so
 * --host and --port are always passed. `-ngl 999` offloads every layer when it has GPUs.
 */
import type { EngineProfile } from "./types";
import { flag } from "./args";

export const llamacppProfile: EngineProfile = {
  engine: "llamacpp",
  containerPort: 8080,
  supports: ["kvCacheDtype", "parallel", "apiKey"],
  args(spec, model) {
    const o = spec.options;
    const source = spec.model.kind === "hf" ? ["-hf", model.arg] : ["-m", model.arg];
    return [
      ...source,
      "--host", "0.0.0.0",
      "--port", String(this.containerPort),
      "-a", spec.servedName,
      "--metrics",
      ...flag("-c", spec.ctx),
      ...(spec.gpus.length > 0 ? ["-ngl", "999"] : []),
      ...flag("-np", o.parallel),
      ...flag("-ctk", o.kvCacheDtype),
      ...flag("-ctv", o.kvCacheDtype),
      ...flag("--api-key", o.apiKey),
    ];
  },
  startupTimeoutS: 600,
};
