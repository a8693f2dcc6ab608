/**
 * Deploy tests on real components: the `switchyard` CLI as a user runs it, an agent whose
 * deployments run in the real Docker Engine, and a look at the daemon itself by the agent's node
 * label (what `docker ps -a --filter label=switchyard.node=NODE` shows).
 */
import { spawn } from "node:child_process";
import path from "node:path";
import { ADMIN_TOKEN, ROOT, startAgent, type Proc, type TestServer } from "./processes";
import { docker } from "./docker";

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `switchyard ARGS` against the test server; resolves when it exits. */
export function runCli(server: TestServer, args: string[], opts: { timeoutMs?: number; env?: Record<string, string> } = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(ROOT, "bin", "switchyard.mjs"), ...args], {
      cwd: ROOT,
      env: { ...process.env, SWITCHYARD_URL: server.url, SWITCHYARD_TOKEN: ADMIN_TOKEN, ...opts.env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (b: Buffer) => (stdout += b.toString()));
    child.stderr.on("data", (b: Buffer) => (stderr += b.toString()));
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`switchyard ${args.join(" ")} did not finish within ${opts.timeoutMs ?? 120_000} ms\n${stdout}\n${stderr}`));
    }, opts.timeoutMs ?? 120_000);
    child.once("exit", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** An agent whose deployments get ports from their own range (tests never collide with a dev's). */
export function startDeployAgent(server: TestServer, name: string, opts: { gpus?: string; portRange?: string; env?: Record<string, string> } = {}): Proc {
  return startAgent({
    server: server.url, name, gpus: opts.gpus ?? "h100,rtx-4080-super",
    env: { SWITCHYARD_PORT_RANGE: opts.portRange ?? "28000-28199", ...opts.env },
  });
}

/** Every container of the node, in any state, found by the label the agent puts on them. */
export async function nodeContainers(node: string) {
  return docker().listContainers({ all: true, filters: { label: [`switchyard.node=${node}`] } });
}

/** A chat completion straight to an engine, or through the gateway with `key`. */
export async function chat(endpoint: string, model: string, key?: string): Promise<string> {
  const res = await fetch(`${endpoint}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json", ...(key ? { authorization: `Bearer ${key}` } : {}) },
    body: JSON.stringify({ model, messages: [{ role: "user", content: "Say something" }], max_tokens: 8 }),
  });
  if (!res.ok) throw new Error(`chat completion: HTTP ${res.status} ${await res.text()}`);
  const json = (await res.json()) as { choices: Array<{ message: { content: string } }> };
  return json.choices[0]!.message.content.trim();
}

/** The endpoint the CLI printed: "endpoint: http://host:port  (…)". */
export function printedEndpoint(stdout: string): string {
  const m = /endpoint: (http:\/\/\S+)/.exec(stdout);
  if (!m) throw new Error(`no endpoint in the CLI's output:\n${stdout}`);
  return m[1]!;
}
