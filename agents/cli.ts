/**
 * `switchyard-agent`: the small process on each GPU box.
 *
 *   switchyard-agent --server URL[,URL…] [--token T | --token-file PATH] [--name NODE] [--fingerprint sha256:HEX] [--interval MS]
 *   switchyard-agent --once
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { createLogger } from "../lib/logger";
import { NODE_NAME_PATTERN } from "../protocol/agent-identity";
import { parseFingerprint } from "../lib/tls-pin";
import { connectAgent, hubUrl } from "./connection";
import { parseServerList } from "./server-rotation";
import { createCredentialStore, defaultStateDir } from "./identity/credential-store";
import { startDeployments } from "./docker/agent-actions";
import { collectOnce, createCollector } from "./telemetry/collector";
import { nodeFacts } from "./telemetry/host-stats";
import { cpuMemoryBudget } from "./cpu-budget";

const USAGE = `Usage:
  switchyard-agent --server URL[,URL…] [--token T | --token-file PATH] [--name NODE] [--fingerprint sha256:HEX] [--interval MS]
  switchyard-agent --once

  --server       the Switchyard server, as in the dashboard's address (http://host:3000; ws:// also works);
                 several servers of one control plane separated by commas: the agent uses the first that
                 answers and moves to the next when its server goes away
  --token        a join token or the enrollment token from the dashboard ("Add a GPU box"), used once to
                 enroll: the node then keeps a credential of its own and presents that
  --token-file   read the token from this file instead (so it does not show in the process list);
                 or set SWITCHYARD_AGENT_TOKEN
  --name         node name shown in the dashboard (default: this machine's hostname)
  --fingerprint  the SHA-256 of the server's TLS certificate (https:// servers with a certificate
                 of their own): the agent talks to no other server. The dashboard shows it.
  --interval     milliseconds between samples (default 1000)
  --once         print one telemetry snapshot as JSON and exit
Environment: SWITCHYARD_AGENT_STATE  where the node's credentials are kept (default ~/.local/state/switchyard-agent)
             SWITCHYARD_NVIDIA_SMI   path of nvidia-smi (default: nvidia-smi on PATH)
             SWITCHYARD_CPU_MEMORY   memory for on-demand CPU deployments, e.g. 2GiB (default: the host's available memory)`;

/** Set by the bundler (server/agent-dist/bundle.ts): the bundle has no package.json beside it. */
declare const SWITCHYARD_AGENT_VERSION: string | undefined;

function agentVersion(): string {
  if (typeof SWITCHYARD_AGENT_VERSION === "string") return SWITCHYARD_AGENT_VERSION;
  const pkg = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "package.json");
  try {
    return (JSON.parse(fs.readFileSync(pkg, "utf8")) as { version?: string }).version ?? "0.0.0";
  } catch {
    return "0.0.0";
  }
}

function fail(message: string): never {
  process.stderr.write(`switchyard-agent: ${message}\n\n${USAGE}\n`);
  process.exit(2);
}

const MAX_TOKEN_LENGTH = 512;

/** The token from --token, --token-file or SWITCHYARD_AGENT_TOKEN (in that order); null when none. */
function readToken(args: { token?: string; "token-file"?: string }): string | null {
  if (args.token && args["token-file"]) fail("give --token or --token-file, not both");
  let token = args.token || null;
  if (args["token-file"]) {
    const file = args["token-file"];
    let text: string;
    try {
      if (fs.statSync(file).size > 64 * 1024) fail(`--token-file ${file} is too large to hold a token`);
      text = fs.readFileSync(file, "utf8");
    } catch (err) {
      fail(`cannot read --token-file ${file}: ${(err as Error).message}`);
    }
    token = text.split(/\r?\n/).map((l) => l.trim()).find((l) => l.length > 0) ?? fail(`--token-file ${file} is empty`);
  }
  token ??= process.env.SWITCHYARD_AGENT_TOKEN || null;
  if (token !== null && (token.length > MAX_TOKEN_LENGTH || /\s/.test(token))) fail(`the token must be one word of at most ${MAX_TOKEN_LENGTH} characters`);
  return token;
}

async function main() {
  let args;
  try {
    args = parseArgs({
      options: {
        server: { type: "string" }, token: { type: "string" }, "token-file": { type: "string" }, name: { type: "string" },
        interval: { type: "string" }, fingerprint: { type: "string" }, once: { type: "boolean" }, help: { type: "boolean", short: "h" },
      },
      strict: true,
    }).values;
  } catch (err) {
    fail((err as Error).message);
  }
  if (args.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const nvidiaSmi = process.env.SWITCHYARD_NVIDIA_SMI || "nvidia-smi";

  if (args.once) {
    const snapshot = await collectOnce({ nvidiaSmi });
    process.stdout.write(`${JSON.stringify(snapshot, null, 2)}\n`);
    return;
  }

  const server = args.server ?? fail("--server is required (the address of the Switchyard dashboard)");
  let servers: string[];
  try {
    servers = parseServerList(server);
    for (const url of servers) hubUrl(url);
  } catch (err) {
    fail((err as Error).message);
  }
  const token = readToken(args);
  const intervalMs = args.interval === undefined ? 1000 : Number(args.interval);
  if (!Number.isInteger(intervalMs) || intervalMs < 100 || intervalMs > 60_000) fail("--interval must be a whole number of milliseconds between 100 and 60000");
  const name = args.name ?? os.hostname();
  if (!NODE_NAME_PATTERN.test(name)) fail(`--name '${name}' must be letters, digits, '.', '_' or '-' (at most 128)`);
  const credentials = createCredentialStore(defaultStateDir());
  if (!token && credentials.list(name).length === 0) fail(`--token is required (see 'Add a GPU box' in the dashboard): ${name} has no credential in ${credentials.dir} yet`);
  try {
    credentials.prepare();
  } catch (err) {
    fail(`cannot use the state directory ${credentials.dir} (SWITCHYARD_AGENT_STATE): ${(err as Error).message}`);
  }

  let fingerprint;
  try {
    fingerprint = args.fingerprint === undefined ? undefined : parseFingerprint(args.fingerprint);
  } catch (err) {
    fail(`--fingerprint: ${(err as Error).message}`);
  }

  let cpuMemoryBytes: number | null = null;
  try {
    cpuMemoryBytes = cpuMemoryBudget(process.env.SWITCHYARD_CPU_MEMORY);
  } catch (err) {
    fail((err as Error).message);
  }

  const log = createLogger("agent").child({ node: name });
  let connection;
  try {
    const simulated = process.env.SWITCHYARD_SIMULATED === "1";
    const facts = async () => ({ ...(await nodeFacts()), cpuMemoryBytes, ...(simulated ? { simulated: true } : {}) });
    connection = connectAgent({ servers, token, credentials, name, agentVersion: agentVersion(), facts, log, fingerprint });
  } catch (err) {
    fail((err as Error).message);
  }
  const collector = createCollector({ nvidiaSmi, intervalMs, logger: log });
  collector.start((sample) => connection.send(sample));
  const deployments = startDeployments(connection, name, log);
  log.info({ servers, intervalMs, nvidiaSmi }, "agent started");

  const stop = async () => {
    deployments.stop();
    connection.stop();
    await collector.stop();
    process.exit(0);
  };
  process.on("SIGINT", () => void stop());
  process.on("SIGTERM", () => void stop());
}

void main();
