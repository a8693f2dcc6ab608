/**
 * Real processes for integration tests: the server (`server/main.ts`) on a free port with its own
 * data directory, and agents (`bin/switchyard-agent.mjs`) reading the stand-in nvidia-smi.
 */
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { X509Certificate } from "node:crypto";
import { pinnedFetch } from "../../lib/pinned-fetch";
import { fingerprintOf } from "../../lib/tls-pin";
import { waitFor } from "./wait";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
export const STANDIN = path.join(ROOT, "bin", "nvidia-smi-standin");
export const ADMIN_TOKEN = "test-admin-token-123";
export const AGENT_TOKEN = "test-agent-token-456";

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

// Most integration tests import waitFor with the processes; it lives in wait.ts.
export { waitFor };

export class Proc {
  readonly output: string[] = [];
  readonly exited: Promise<number | null>;

  constructor(readonly child: ChildProcess) {
    const collect = (b: Buffer) => this.output.push(b.toString());
    child.stdout?.on("data", collect);
    child.stderr?.on("data", collect);
    this.exited = new Promise((resolve) => child.once("exit", (code) => resolve(code)));
  }

  text(): string {
    return this.output.join("");
  }

  async stop(signal: NodeJS.Signals = "SIGTERM", timeoutMs = 10_000): Promise<number | null> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return this.child.exitCode;
    this.child.kill(signal);
    const timer = setTimeout(() => this.child.kill("SIGKILL"), timeoutMs);
    const code = await this.exited;
    clearTimeout(timer);
    return code;
  }
}

export interface TestServer {
  url: string;
  /** The certificate's fingerprint when the server serves HTTPS (SWITCHYARD_TLS…); requests pin it. */
  fingerprint: string | null;
  port: number;
  dataDir: string;
  proc: Proc;
  api(pathname: string, init?: RequestInit & { token?: string | null }): Promise<Response>;
  stop(): Promise<void>;
}

/** Waits until every node in `names` is listed online by the server's `/api/nodes`. */
export function waitForNodesOnline(server: TestServer, names: string[], timeoutMs = 30_000, everyMs?: number): Promise<true> {
  return waitFor(`${names.join(" and ")} online`, async () => {
    const nodes = (await (await server.api("/api/nodes")).json()) as Array<{ name: string; online: boolean }>;
    return names.every((n) => nodes.some((x) => x.name === n && x.online));
  }, timeoutMs, everyMs);
}

/** `env` values that are undefined remove the variable (e.g. to let the server generate a token). */
type ServerOptions = { dataDir?: string; port?: number; env?: Record<string, string | undefined>; args?: string[] };

export async function startServer(opts: ServerOptions = {}): Promise<TestServer> {
  // A restart on the port just released can lose it to another process for a moment: retry then.
  for (let attempt = 1; ; attempt++) {
    try {
      return await startServerOnce(opts);
    } catch (err) {
      if (opts.port === undefined || attempt >= 10 || !/Port in use/.test(String(err))) throw err;
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}

async function startServerOnce(opts: ServerOptions): Promise<TestServer> {
  const dataDir = opts.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), "switchyard-test-"));
  const port = opts.port ?? (await freePort());
  const env: NodeJS.ProcessEnv = {
    ...process.env, PORT: String(port), HOST: "127.0.0.1", SWITCHYARD_DATA: dataDir,
    SWITCHYARD_ADMIN_TOKEN: ADMIN_TOKEN, SWITCHYARD_AGENT_TOKEN: AGENT_TOKEN, SWITCHYARD_LOCAL_AGENT: "0",
    LOG_LEVEL: process.env.LOG_LEVEL ?? "warn", ...opts.env,
  };
  for (const [k, v] of Object.entries(env)) if (v === undefined) delete env[k];
  const child = spawn(process.execPath, ["--import", "tsx", path.join(ROOT, "server", "main.ts"), ...(opts.args ?? [])], {
    cwd: ROOT,
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const proc = new Proc(child);
  const certPath = env.SWITCHYARD_TLS_CERT ?? (env.SWITCHYARD_TLS === "self-signed" ? path.join(dataDir, "tls", "cert.pem") : null);
  const url = `${certPath ? "https" : "http"}://127.0.0.1:${port}`;
  let fingerprint: string | null = null;
  // Over HTTPS every request pins the server's certificate, as agents and the CLI do.
  let send: (u: string, init?: RequestInit) => Promise<Response> = (u, init) => fetch(u, init);
  try {
    // A server that exits (bad configuration) fails the start at once, not after the wait.
    const exited = proc.exited.then((code) => Promise.reject(new Error(`server exited with ${code}:\n${proc.text()}`)));
    const healthy = waitFor("server health", async () => {
      if (certPath && !fingerprint) {
        if (!fs.existsSync(certPath)) return false;
        fingerprint = fingerprintOf(new X509Certificate(fs.readFileSync(certPath)).raw);
        send = pinnedFetch(fingerprint as `sha256:${string}`, url);
      }
      return (await send(`${url}/api/health`)).ok;
    }, 60_000, 200);
    await Promise.race([healthy, exited]);
  } catch (err) {
    await proc.stop("SIGKILL");
    throw new Error(`${(err as Error).message}\n--- server output ---\n${proc.text()}`);
  }
  return {
    url, port, dataDir, proc, fingerprint,
    api: (pathname, init = {}) => {
      const { token = ADMIN_TOKEN, ...rest } = init;
      const headers = new Headers(rest.headers);
      if (token) headers.set("authorization", `Bearer ${token}`);
      return send(`${url}${pathname}`, { ...rest, headers });
    },
    stop: async () => void (await proc.stop()),
  };
}

let stateRoot: string | null = null;

/**
 * Where an agent started by a test keeps its credentials: one directory per server address and
 * node name for this test process, so an agent restarted against the same server (or a server
 * restarted on the same port and data) presents the credential it enrolled with, as on a real box.
 */
export function agentStateDir(server: string, name: string): string {
  stateRoot ??= fs.mkdtempSync(path.join(os.tmpdir(), "switchyard-agent-state-"));
  return path.join(stateRoot, `${server.replace(/[^A-Za-z0-9]+/g, "_")}--${name}`);
}

export function startAgent(opts: { server: string; name: string; gpus?: string; token?: string; env?: Record<string, string>; args?: string[] }): Proc {
  const args = [path.join(ROOT, "bin", "switchyard-agent.mjs"), "--server", opts.server, "--token", opts.token ?? AGENT_TOKEN, "--name", opts.name, ...(opts.args ?? [])];
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: {
      ...process.env, SWITCHYARD_NVIDIA_SMI: STANDIN, SWITCHYARD_STANDIN_GPUS: opts.gpus ?? "h100,rtx-4080-super",
      SWITCHYARD_STANDIN_SEED: opts.name, LOG_LEVEL: "info", SWITCHYARD_AGENT_STATE: agentStateDir(opts.server, opts.name), ...opts.env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  return new Proc(child);
}
