/**
 * `switchyard`: the command line for the server (nodes now; deploy, stop, ps, logs and fit as
 * their capabilities land). Exit codes: 0 ok, 1 the operation failed, 2 bad usage.
 */
import { parseArgs } from "node:util";
import { CliError, apiClient } from "./client";
import { nodesCommand } from "./commands/nodes";
import os from "node:os";
import { deployCommand } from "./commands/deploy";
import { logsCommand } from "./commands/logs";
import { psCommand } from "./commands/ps";
import { stopCommand } from "./commands/stop";
import { fitCommand } from "./commands/fit";
import { benchCommand } from "./commands/bench";
import { loadCommand, unloadCommand } from "./commands/load";
import { int } from "./deploy-args";

const USAGE = `Usage: switchyard <command> [options]

Commands:
  nodes [--json]     list nodes with their GPUs and live usage
  deploy ENGINE MODEL [options] [-- engine args]
                     deploy a model (vllm, sglang, llamacpp) and wait until it serves
  ps [--json]        list deployments with node, GPUs, state, endpoint and uptime
  stop NAME          stop and remove a deployment and its container
  load NAME [--timeout S] [--json]
                     start an on-demand deployment now and wait until it serves
  unload NAME [--json]
                     return an on-demand deployment to standby (after requests in flight)
  logs NAME [-f] [--tail N]
                     a deployment's container output (-f: follow it live)
  fit MODEL [options] [--json]
                     VRAM estimate: where in the fleet it fits (or --gpu-mem 24GiB offline)
  bench MODEL [--concurrency 1,4,16] [--requests N] [--prompt-tokens N] [--max-tokens N] [--json]
                     measure a routable model through the gateway (kept on the server; see bench --help)

Environment: SWITCHYARD_URL (default http://127.0.0.1:3000), SWITCHYARD_TOKEN (the admin token),
  SWITCHYARD_FINGERPRINT (sha256:…: trust an https:// server's own certificate, as the server prints it)`;

async function run(argv: string[]): Promise<string> {
  const [command, ...rest] = argv;
  if (!command || command === "help" || command === "--help" || command === "-h") return USAGE;
  const client = apiClient();
  switch (command) {
    case "nodes": {
      const { values } = parseArgs({ args: rest, options: { json: { type: "boolean" } } });
      return nodesCommand(client, { json: values.json ?? false });
    }
    case "deploy":
      return deployCommand(client, rest, { cwd: process.cwd(), home: os.homedir(), progress: (l) => process.stderr.write(`${l}\n`) });
    case "ps": {
      const { values } = parseArgs({ args: rest, options: { json: { type: "boolean" } } });
      return psCommand(client, { json: values.json ?? false });
    }
    case "stop":
      return stopCommand(client, parseArgs({ args: rest, allowPositionals: true, options: {} }).positionals);
    case "load": {
      const { values, positionals } = parseArgs({ args: rest, allowPositionals: true, options: { timeout: { type: "string" }, json: { type: "boolean" } } });
      return loadCommand(client, { name: positionals[0], timeoutS: int("timeout", values.timeout) ?? 1800, json: values.json ?? false }, (l) => process.stderr.write(`${l}\n`));
    }
    case "unload": {
      const { values, positionals } = parseArgs({ args: rest, allowPositionals: true, options: { json: { type: "boolean" } } });
      return unloadCommand(client, { name: positionals[0], json: values.json ?? false });
    }
    case "logs": {
      const { values, positionals } = parseArgs({ args: rest, allowPositionals: true, options: { follow: { type: "boolean", short: "f" }, tail: { type: "string", default: "200" } } });
      const tail = Number(values.tail);
      if (!Number.isInteger(tail) || tail < 0) throw new CliError(`--tail must be a whole number, got '${values.tail}'`, 2);
      return logsCommand(client, { name: positionals[0], follow: values.follow ?? false, tail }, (t) => process.stdout.write(t));
    }
    case "bench": {
      const interrupted = new Promise<void>((resolve) => process.once("SIGINT", () => resolve()));
      const { output, exitCode } = await benchCommand(client, rest, { progress: (l) => process.stderr.write(`${l}\n`), interrupted });
      process.exitCode = exitCode;
      return output;
    }
    case "fit":
      return fitCommand(client, rest, { cwd: process.cwd(), home: os.homedir(), hasToken: Boolean(process.env.SWITCHYARD_TOKEN) });
    default:
      throw new CliError(`unknown command '${command}'\n\n${USAGE}`, 2);
  }
}

run(process.argv.slice(2)).then(
  (out) => process.stdout.write(`${out}\n`),
  (err: unknown) => {
    const code = err instanceof CliError ? err.exitCode : (err as { code?: string }).code?.startsWith("ERR_PARSE_ARGS") ? 2 : 1;
    process.stderr.write(`switchyard: ${(err as Error).message}\n`);
    process.exit(code);
  },
);
