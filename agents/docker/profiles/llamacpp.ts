/**
 * llama.cpp server (`ghcr.io/ggml-org/llama.cpp:server[-cuda]`): the image's entrypoint is
 * llama-server, so the command is only its arguments. Its default port is moving (8080 → 9931), so
 * --host and --port are always passed. `-ngl 999` offloads every layer when it has GPUs.
 * The API key goes in `LLAMA_API_KEY`, not on the command line: that is `--api-key`'s variable
 * (`llama-server --help`: "(env: LLAMA_API_KEY)"). Unlike most flags it is not `LLAMA_ARG_*`:
 * `LLAMA_ARG_API_KEY` is silently ignored (checked against the real server: no 401 without a key).
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
    ];
  },
  apiKeyEnv: "LLAMA_API_KEY",
  startupTimeoutS: 600,
};
