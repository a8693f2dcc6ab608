/**
 * Agents the server starts itself: the one for this machine (`npm start`) and, with `--demo`, a
 * simulated fleet whose agents read the stand-in nvidia-smi replaying real captures. They are real
 * agent processes dialling the hub like any remote box; restarted with backoff if they exit.
 *
 * The server provisions them: it issues each a credential of its own and hands it over through a
 * state directory under SWITCHYARD_DATA (0700, files 0600), so no token is ever passed; and each
 * gets only the environment an agent reads, never the server's secrets.
 */
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { createLogger } from "../lib/logger";
import { backoffMs } from "../lib/backoff";
import { createCredentialStore } from "../agents/identity/credential-store";
import type { Identity } from "./core/identity/identity";

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
  /** The server's certificate fingerprint when it serves HTTPS (the agent pins it). */
  fingerprint?: string;
  env?: Record<string, string>;
}

/** A spec the server has issued a credential for, kept in `stateDir`. */
export interface ProvisionedAgent extends AgentSpec {
  stateDir: string;
}

/** What an agent reads from its environment; nothing else of the server's passes (its tokens, keys, config). */
const AGENT_ENV = new Set([
  "PATH", "HOME", "USER", "LOGNAME", "LANG", "LC_ALL", "LC_CTYPE", "TZ", "TMPDIR", "LOG_LEVEL", "NODE_EXTRA_CA_CERTS",
  "DOCKER_HOST", "DOCKER_TLS_VERIFY", "DOCKER_CERT_PATH", "DOCKER_CONFIG", "HF_HOME",
  "SWITCHYARD_NVIDIA_SMI", "SWITCHYARD_PORT_RANGE", "SWITCHYARD_CPU_MEMORY",
]);
/** The stand-in nvidia-smi's settings (tests, demos). */
const AGENT_ENV_PREFIX = "SWITCHYARD_STANDIN_";

export function agentEnvironment(source: Record<string, string | undefined>, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(source)) {
    if (value !== undefined && (AGENT_ENV.has(key) || key.startsWith(AGENT_ENV_PREFIX))) env[key] = value;
  }
  return { ...env, ...extra } as NodeJS.ProcessEnv;
}

/**
 * Issues (or reuses, while it is live) each agent's credential and writes it where the agent
 * reads it. A name enrolled by another agent (a real box called like a demo one) is left to it.
 */
export async function provisionAgents(specs: AgentSpec[], deps: { identity: Identity; dataDir: string }): Promise<ProvisionedAgent[]> {
  const out: ProvisionedAgent[] = [];
  for (const spec of specs) {
    const stateDir = path.join(deps.dataDir, "agents", spec.name);
    const store = createCredentialStore(stateDir);
    const held = store.list(spec.name).find((c) => c.controlPlane === deps.identity.controlPlane && !c.revoked)?.credential ?? null;
    const credential = await deps.identity.provision(spec.name, held);
    if (!credential) {
      log.warn({ agent: spec.name }, `node ${spec.name} is enrolled by another agent: the server does not start its own for it (remove ${spec.name} in the dashboard to let it)`);
      continue;
    }
    store.save({ controlPlane: deps.identity.controlPlane, node: spec.name, credential, servers: [spec.serverUrl] });
    out.push({ ...spec, stateDir });
  }
  return out;
}

export interface ManagedAgents {
  stop(): Promise<void>;
}

export function startAgents(specs: ProvisionedAgent[]): ManagedAgents {
  let stopping = false;
  const children = new Map<string, ChildProcess>();

  const launch = (spec: ProvisionedAgent, attempt: number) => {
    const child = spawn(process.execPath, ["--import", "tsx", path.join(root, "agents", "cli.ts"), "--server", spec.serverUrl, "--name", spec.name,
      ...(spec.fingerprint ? ["--fingerprint", spec.fingerprint] : [])], {
      cwd: root,
      env: agentEnvironment(process.env, { ...spec.env, SWITCHYARD_AGENT_STATE: spec.stateDir }),
      stdio: ["ignore", "inherit", "inherit"],
    });
    children.set(spec.name, child);
    const started = Date.now();
    child.on("exit", (code, signal) => {
      children.delete(spec.name);
      if (stopping) return;
      const next = Date.now() - started > 60_000 ? 0 : attempt + 1;
      const delay = backoffMs(next, { baseMs: 1000, maxMs: 30_000 });
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

export function demoSpecs(serverUrl: string, fingerprint?: string): AgentSpec[] {
  return DEMO_FLEET.map((box) => ({
    name: box.name,
    serverUrl,
    fingerprint,
    env: {
      SWITCHYARD_NVIDIA_SMI: STANDIN_NVIDIA_SMI, SWITCHYARD_STANDIN_GPUS: box.gpus.join(","), SWITCHYARD_STANDIN_SEED: box.name,
      SWITCHYARD_SIMULATED: "1",
      // Simulated boxes must never start real containers on this machine's Docker.
      DOCKER_HOST: "unix:///nonexistent/switchyard-demo-box.sock",
    },
  }));
}
