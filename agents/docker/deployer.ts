/**
 * The agent's deployments: checks a deploy request against the node (model on disk, Docker up,
 * port free), builds the container from the engine's profile and hands it to a runner; stops,
 * restarts, serves logs; adopts the labelled containers it finds after a restart (one per
 * deployment: duplicates are removed) and announces what it runs after every (re)connection.
 */
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import {
  DEPLOY_EVENTS, publicSpec, publicSpecSchema,
  type DeploySpec, type DeploymentReport, type ModelRef,
} from "../../protocol/deployments";
import type { Logger } from "../../lib/logger";
import type { ContainerInfo, DockerAdapter } from "./docker-adapter";
import { DeployError, isMemlockRefused } from "./errors";
import { LABELS } from "./labels";
import { createLogFollows } from "./log-follows";
import { redact } from "./log-lines";
import { NoFreePortError, PortInUseError, createPortAllocator, type PortRange } from "./ports";
import { ProfileError, apiKeyOnCommandLineWarning, buildContainerSpec, containerSecrets, modelMount, withoutMemlock, type ContainerSpec } from "./profiles";
import { checkModelInContainer, checkModelLocally, checkModelPath } from "./model-check";
import { DeploymentRunner, type RunnerDeps } from "./runner";

export interface DeployerOptions {
  node: string;
  log: Logger;
  docker: DockerAdapter;
  emit(event: string, payload: unknown): void;
  portRange: PortRange;
  /** Host folder of the Hugging Face cache. */
  hfCacheDir?: string;
  probe?: RunnerDeps["probe"];
}

export type Deployer = ReturnType<typeof createDeployer>;

export function defaultHfCacheDir(): string {
  return process.env.HF_HOME || path.join(os.homedir(), ".cache", "huggingface");
}

export function createDeployer(opts: DeployerOptions) {
  const { node, docker, log } = opts;
  const runners = new Map<string, DeploymentRunner>();
  const ports = createPortAllocator(opts.portRange);
  const hfCacheDir = opts.hfCacheDir ?? defaultHfCacheDir();
  const follows = createLogFollows({ docker, emit: opts.emit, log });

  const emitState = (r: DeploymentReport) => opts.emit(DEPLOY_EVENTS.state, r);

  const addRunner = (spec: ReturnType<typeof publicSpec>, port: number, secrets: string[]) => {
    const runner: DeploymentRunner = new DeploymentRunner(spec, port, {
      docker, log, emit: emitState, secrets, probe: opts.probe,
      onGone: () => {
        if (runners.get(spec.id) === runner) runners.delete(spec.id);
        ports.release(port);
      },
    });
    runners.set(spec.id, runner);
    return runner;
  };

  /** Before anything is created: the path as written, and (with a local daemon) what it holds. */
  const checkModel = async (ref: ModelRef) => {
    if (ref.kind === "hf") return;
    if (docker.local) await checkModelLocally(ref, node);
    else checkModelPath(ref);
  };

  /** A remote daemon's disk is checked through the created container, before it is started. */
  const createChecked = async (spec: DeploySpec, containerSpec: ContainerSpec): Promise<string> => {
    const id = await docker.create(containerSpec);
    if (docker.local || spec.model.kind === "hf") return id;
    try {
      await checkModelInContainer(docker, id, spec.model, modelMount(spec).arg, node);
    } catch (err) {
      await docker.remove(id).catch(() => {});
      throw err;
    }
    return id;
  };

  const allocatePort = async (asked: number | undefined) => {
    try {
      return await ports.allocate(asked, await docker.takenPorts());
    } catch (err) {
      if (err instanceof PortInUseError) {
        const by = err.by === "docker" ? "another container publishes it" : "a program listens on it";
        throw new DeployError("conflict", `port ${err.port} is in use on ${node} (${by}): choose another --port, or leave it out to get a free one`);
      }
      if (err instanceof NoFreePortError) throw new DeployError("conflict", `${err.message} on ${node}: stop a deployment or widen SWITCHYARD_PORT_RANGE`);
      throw err;
    }
  };

  /** Creates still checking the node (no runner yet), and those of them a stop arrived for meanwhile. */
  const preparing = new Set<string>();
  const cancelled = new Set<string>();

  async function create(spec: DeploySpec): Promise<DeploymentReport> {
    const existing = runners.get(spec.id);
    if (existing) return existing.report(); // a retried request: answer, do not deploy twice
    const clash = [...runners.values()].find((r) => r.spec.name === spec.name);
    if (clash) throw new DeployError("conflict", `${node} already runs a deployment named ${spec.name}`);
    preparing.add(spec.id);
    let port: number;
    try {
      await docker.ping();
      await checkModel(spec.model);
      port = await allocatePort(spec.port);
      if (cancelled.has(spec.id)) {
        ports.release(port);
        throw new DeployError("conflict", `${spec.name} was stopped while it was being deployed`);
      }
    } finally {
      preparing.delete(spec.id);
      cancelled.delete(spec.id);
    }
    let runner: DeploymentRunner | undefined;
    try {
      const containerSpec = buildContainerSpec({ spec, node, hostPort: port, hfCacheDir });
      await fs.mkdir(hfCacheDir, { recursive: true }).catch(() => {});
      const secrets = [spec.secrets.hfToken, spec.options.apiKey].filter((s): s is string => Boolean(s));
      runner = addRunner(publicSpec(spec), port, secrets);
      const keyWarning = apiKeyOnCommandLineWarning(spec);
      if (keyWarning) runner.warn(keyWarning);
      try {
        await runner.launch(() => createChecked(spec, containerSpec), spec.image);
      } catch (err) {
        // Rootless or restricted daemons refuse `--ulimit memlock=-1` (SGLang's recipe). The engine
        // runs without it (pinned-memory transfers are slower), so run it and say so.
        const relaxed = isMemlockRefused(err) ? withoutMemlock(containerSpec) : null;
        if (!relaxed) throw err;
        runner.warn(`Docker on ${node} refused an unlimited memlock limit, so the container runs with the daemon's default`);
        await runner.launch(() => createChecked(spec, relaxed), spec.image);
      }
      log.info({ deployment: spec.name, engine: spec.engine, image: spec.image, port, gpus: spec.gpus }, "deployment launched");
      return runner.report();
    } catch (err) {
      if (runner && runners.get(spec.id) === runner) runners.delete(spec.id);
      ports.release(port);
      if (err instanceof ProfileError) throw new DeployError("bad_request", err.message);
      throw err;
    }
  }

  /** Containers of a deployment the agent does not run (yet): found by label. */
  const containersOf = async (id: string) => (await docker.listManaged()).filter((c) => c.labels[LABELS.deployment] === id);

  async function stop(id: string): Promise<{ removed: boolean }> {
    // A stop that overtakes its create (the server gave up waiting on it) must win: the create ends there.
    if (preparing.has(id)) cancelled.add(id);
    const runner = runners.get(id);
    if (runner) await runner.stop();
    for (const c of await containersOf(id)) await docker.remove(c.id);
    return { removed: true };
  }

  /** On-demand `--unload sleep`: the engine frees its GPU memory, the container stays. */
  async function sleep(id: string): Promise<DeploymentReport> {
    const runner = runners.get(id);
    if (!runner) throw new DeployError("not_found", `${node} runs no deployment ${id}`);
    await runner.sleep();
    return runner.report();
  }

  async function wake(id: string): Promise<DeploymentReport> {
    const runner = runners.get(id);
    if (!runner) throw new DeployError("not_found", `${node} runs no deployment ${id}: it is loaded again from scratch`);
    await runner.wake();
    return runner.report();
  }

  async function restart(id: string): Promise<DeploymentReport> {
    const runner = runners.get(id);
    if (!runner) throw new DeployError("not_found", `${node} runs no deployment ${id}: deploy it again`);
    await runner.restart();
    return runner.report();
  }

  async function containerFor(id: string): Promise<string | null> {
    return runners.get(id)?.containerId ?? (await containersOf(id))[0]?.id ?? null;
  }

  async function logs(id: string, tail: number): Promise<{ lines: string[] }> {
    const containerId = await containerFor(id);
    const runner = runners.get(id);
    if (!containerId) return { lines: runner?.report().logs ?? [] };
    const secrets = runner?.secretValues ?? [];
    return { lines: (await docker.logsTail(containerId, tail)).map((l) => redact(l, secrets)) };
  }

  async function follow(id: string, tail: number, streamId: string): Promise<{ following: boolean }> {
    const containerId = await containerFor(id);
    if (!containerId) {
      follows.replay(streamId, runners.get(id)?.report().logs ?? [], "the deployment has no container");
      return { following: false };
    }
    await follows.start(streamId, containerId, tail, runners.get(id)?.secretValues ?? []);
    return { following: true };
  }

  // One adoption at a time: the start-up scan and a connection's announce must not adopt twice.
  let adoption: Promise<void> = Promise.resolve();
  function adoptAll(): Promise<void> {
    const run = adoption.then(adoptOnce);
    adoption = run.catch(() => {});
    return run;
  }

  /** Takes over labelled containers of this node that no runner holds; removes duplicates. */
  async function adoptOnce(): Promise<void> {
    const byDeployment = new Map<string, ContainerInfo[]>();
    for (const c of await docker.listManaged()) {
      const id = c.labels[LABELS.deployment]!;
      byDeployment.set(id, [...(byDeployment.get(id) ?? []), c]);
    }
    for (const [id, containers] of byDeployment) {
      const known = runners.get(id)?.containerId;
      // Keep the one a runner holds, else a running one, else the newest.
      const sorted = [...containers].sort((a, b) => Number(b.id === known) - Number(a.id === known) || Number(b.running) - Number(a.running) || (b.startedAt ?? 0) - (a.startedAt ?? 0));
      const [keep, ...dupes] = sorted;
      for (const d of dupes) {
        log.warn({ deployment: id, container: d.id.slice(0, 12) }, "removing a duplicate container of one deployment");
        await docker.remove(d.id).catch((err: Error) => log.warn({ err: err.message }, "could not remove a duplicate"));
      }
      if (!keep || runners.has(id)) continue;
      const parsed = publicSpecSchema.safeParse(safeJson(keep.labels[LABELS.spec]));
      const port = Number(keep.labels[LABELS.port]);
      if (!parsed.success || !port) {
        log.warn({ container: keep.id.slice(0, 12) }, "a Switchyard container without a readable spec label: left alone");
        continue;
      }
      log.info({ deployment: parsed.data.name, container: keep.id.slice(0, 12), running: keep.running }, "adopted a running deployment");
      // The deploy request (and its secrets) went to an earlier agent: read them back from the
      // container, so its logs stay scrubbed of the HF token and the API key.
      addRunner(parsed.data, port, containerSecrets(keep)).adopt(keep);
    }
  }

  /** After each (re)connection: adopt what appeared, then tell the server everything this node runs. */
  async function announce(): Promise<void> {
    follows.stopAll(); // the server that asked for them is gone with the old connection
    let complete = true;
    try {
      await adoptAll();
    } catch (err) {
      complete = false;
      log.warn({ err: (err as Error).message }, "could not list containers; announcing what is known");
    }
    opts.emit(DEPLOY_EVENTS.announce, { reports: [...runners.values()].map((r) => r.report()), complete });
  }

  return {
    create, stop, restart, sleep, wake, logs, follow, adoptAll, announce,
    unfollow: (streamId: string) => follows.stop(streamId),
    list: () => [...runners.values()].map((r) => r.report()),
    close: () => follows.stopAll(),
  };
}

function safeJson(text: string | undefined): unknown {
  try {
    return text ? JSON.parse(text) : null;
  } catch {
    return null;
  }
}
