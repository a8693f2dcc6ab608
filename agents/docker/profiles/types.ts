/**
 * An engine profile turns a deploy spec into the engine's command line and container needs.
 * Profiles are pure data and functions: everything here is table-tested without Docker.
 */
import type Docker from "dockerode";
import type { DeploySpec, Engine, EngineOptions } from "../../../protocol/deployments";

/** A Docker create request, named (the container name is part of the spec). */
export type ContainerSpec = Docker.ContainerCreateOptions & { name: string };

export interface ProfileInput {
  spec: DeploySpec;
  /** The node (agent) name: labelled on the container so agents sharing one daemon keep apart. */
  node: string;
  hostPort: number;
  /** Host folder of the Hugging Face cache (`~/.cache/huggingface`). */
  hfCacheDir: string;
  /** Host address the port is published on (0.0.0.0 so the gateway on another host reaches it). */
  bindAddress?: string;
}

/** Where the model is inside the container, and what to mount for it. */
export interface ModelMount {
  /** The model argument as the engine takes it: a repo id or a path inside the container. */
  arg: string;
  binds: string[];
}

export interface EngineProfile {
  engine: Engine;
  /** The port the engine listens on inside the container (always passed explicitly). */
  containerPort: number;
  /** Entrypoint to set, or undefined to keep the image's own. */
  entrypoint?: string[];
  /** Engine options this engine understands; any other is refused with a message. */
  supports: ReadonlyArray<keyof EngineOptions>;
  /** The container's Cmd (after the entrypoint), extra args not included. */
  args(spec: DeploySpec, model: ModelMount): string[];
  /**
   * The environment variable the engine reads its API key from. Set where the engine has one: a
   * key on the command line is visible to every user of the box (`ps aux`) and in `docker inspect`'s
   * Args. Absent: the engine takes the key only as `--api-key` (its `args` put it there).
   */
  apiKeyEnv?: string;
  /** Environment the engine needs for this spec (secrets aside: those are set by the caller). */
  env?(spec: DeploySpec): string[];
  /**
   * Sleep mode (an on-demand `--unload sleep`): the engine's endpoints that free its GPU memory and
   * take it back, and the one that says whether it sleeps. Absent: the engine cannot sleep.
   */
  sleep?: { sleep: string; wake: string; isSleeping: string };
  /** Engine-specific HostConfig additions (shared memory, ulimits). */
  hostConfig?: Docker.HostConfig;
  /** Seconds to wait for the first healthy answer unless the deploy says otherwise. */
  startupTimeoutS: number;
}

/** A problem with the deploy request itself; the agent answers it as `bad_request`. */
export class ProfileError extends Error {}
