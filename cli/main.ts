/**
 * `switchyard`: the command line for the server (nodes now; deploy, stop, ps, logs and fit as
 * their capabilities land). Exit codes: 0 ok, 1 the operation failed, 2 bad usage.
 */
import { parseArgs } from "node:util";
import { CliError, apiClient } from "./client";
import { nodesCommand } from "./commands/nodes";

const USAGE = `Usage: switchyard <command> [options]

Commands:
  nodes [--json]     list nodes with their GPUs and live usage

Environment: SWITCHYARD_URL (default http://127.0.0.1:3000), SWITCHYARD_TOKEN (the admin token)`;

async function run(argv: string[]): Promise<string> {
  const [command, ...rest] = argv;
  if (!command || command === "help" || command === "--help" || command === "-h") return USAGE;
  const client = apiClient();
  switch (command) {
    case "nodes": {
      const { values } = parseArgs({ args: rest, options: { json: { type: "boolean" } } });
      return nodesCommand(client, { json: values.json ?? false });
    }
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
