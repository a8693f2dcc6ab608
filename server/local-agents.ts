/**
 * Agents the server starts itself: the one for this machine (`npm start`) and, with `--demo`, a
 * simulated fleet whose agents read the stand-in nvidia-smi replaying real captures. They are real
 * agent processes dialling the hub like any remote box; restarted with backoff if they exit.
 */
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { createLogger } from "../lib/logger";

const log = createLogger("local-agents");
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

export const STANDIN_NVIDIA_SMI = path.join(root, "bin", "nvidia-smi-standin");

/** The demo fleet: real captured GPUs, combined into boxes like the ones homelabs run. */
export const DEMO_FLEET: Array<{ name: string; gpus: string[] }> = [
  { name: "atlas", gpus: ["rtx-4080-super", "rtx-4080-super", "rtx-4080-super", "rtx-4080-super"] },
  { name: "forge", gpus: ["rtx-2080-super", "rtx-2080-super"] },
  { name: "hopper", gpus: ["h100", "h100-mig"] },
];

export interface AgentSpec {
  name: string;
  serverUrl: string;
  token: string;
  /** The server's certificate fingerprint when it serves HTTPS (the agent pins it). */
  fingerprint?: string;
  env?: Record<string, string>;
}

export interface ManagedAgents {
  stop(): Promise<void>;
}

export function startAgents(specs: AgentSpec[]): ManagedAgents {
  let stopping = false;
  const children = new Map<string, ChildProcess>();

  const launch = (spec: AgentSpec, attempt: number) => {
    const child = spawn(process.execPath, ["--import", "tsx", path.join(root, "agents", "cli.ts"), "--server", spec.serverUrl, "--name", spec.name,
      ...(spec.fingerprint ? ["--fingerprint", spec.fingerprint] : [])], {
      cwd: root,
      // The token travels in the environment, not argv, so `ps` does not show it.
      env: { ...process.env, ...spec.env, SWITCHYARD_AGENT_TOKEN: spec.token },
      stdio: ["ignore", "inherit", "inherit"],
    });
    children.set(spec.name, child);
    const started = Date.now();
    child.on("exit", (code, signal) => {
      children.delete(spec.name);
      if (stopping) return;
      const next = Date.now() - started > 60_000 ? 0 : attempt + 1;
      const delay = Math.min(30_000, 1000 * 2 ** next);
      log.warn({ agent: spec.name, code, signal, retryInMs: delay }, "local agent exited; restarting");
      setTimeout(() => !stopping && launch(spec, next), delay).unref();
    });
  };

  for (const spec of specs) launch(spec, 0);

  return {
    async stop() {
      stopping = true;
      await Promise.all([...children.values()].map((child) => new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
        setTimeout(() => child.kill("SIGKILL"), 3000).unref();
      })));
    },
  };
}

export function demoSpecs(serverUrl: string, token: string, fingerprint?: string): AgentSpec[] {
  return DEMO_FLEET.map((box) => ({
    name: box.name,
    serverUrl,
    token,
    fingerprint,
    env: {
      SWITCHYARD_NVIDIA_SMI: STANDIN_NVIDIA_SMI, SWITCHYARD_STANDIN_GPUS: box.gpus.join(","), SWITCHYARD_STANDIN_SEED: box.name,
      SWITCHYARD_SIMULATED: "1",
      // Simulated boxes must never start real containers on this machine's Docker.
      DOCKER_HOST: "unix:///nonexistent/switchyard-demo-box.sock",
    },
  }));
}
