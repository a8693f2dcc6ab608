/**
 * `switchyard deploy`: asks the server to deploy, then follows the deployment until it serves
 * (exit 0, name and endpoint on stdout) or fails (exit 1, the reason and the container's last log
 * lines). Progress goes to stderr so stdout stays scriptable.
 */
import type { DeploymentView } from "../../protocol/deployments";
import { CliError, type ApiClient } from "../client";
import { DEPLOY_USAGE, parseDeployArgs } from "../deploy-args";

const POLL_MS = 150;

export interface DeployIo {
  cwd: string;
  home: string;
  progress(line: string): void;
}

function describeStart(d: DeploymentView): string {
  const gpus = d.gpus.length ? `GPU ${d.gpus.join(",")}` : "CPU";
  return `deploying ${d.name} (${d.engine}, ${d.model}) on ${d.node} ${gpus}, image ${d.image}`;
}

function describeState(d: DeploymentView, elapsedS: string): string {
  if (d.state === "pulling" && d.progress) {
    return `  pulling image ${d.progress.pct === null ? "" : `${d.progress.pct.toFixed(0)}% `}(${d.progress.text}) ${elapsedS}`;
  }
  const words: Record<string, string> = { starting: "container started, waiting for the engine", loading: "loading the model" };
  return `  ${words[d.state] ?? d.state} ${elapsedS}`;
}

export function failureMessage(d: DeploymentView): string {
  const lines = [`${d.name} failed on ${d.node}: ${d.reason ?? "no reason given"}`];
  if (d.logs.length) lines.push("--- last log lines of the container ---", ...d.logs);
  return lines.join("\n");
}

/** An on-demand load that failed since `since`: its error and the engine's last lines. */
function loadFailure(d: DeploymentView, since: number): string | null {
  const last = d.onDemand?.lastLoad;
  if (d.state !== "standby" || !last || last.ok || last.at < since) return null;
  const lines = [`${d.name} could not be loaded: ${last.error ?? "no reason given"}`];
  if (last.logs.length) lines.push("--- last log lines of the container ---", ...last.logs);
  return lines.join("\n");
}

export function registeredMessage(d: DeploymentView): string {
  const od = d.onDemand!;
  const where = od.placedAtLoad ? "placed where it fits when it loads" : `on ${d.node} ${d.gpus.length ? `GPU ${d.gpus.join(",")}` : "CPU"}`;
  return `${d.name} is registered on demand (standby, ${where}): it loads on its first request as model "${d.name}", ` +
    `unloads after ${od.idleTimeoutS} s idle (${od.unload})`;
}

export function readyMessage(d: DeploymentView, elapsedMs: number): string {
  return `${d.name} is ready on ${d.node} in ${(elapsedMs / 1000).toFixed(1)} s\n` +
    `endpoint: ${d.endpoint}  (OpenAI API ${d.endpoint}/v1, model "${d.servedName}")`;
}

export async function deployCommand(client: ApiClient, argv: string[], io: DeployIo): Promise<string> {
  const own = argv.includes("--") ? argv.slice(0, argv.indexOf("--")) : argv;
  if (own.includes("--help") || own.includes("-h")) return DEPLOY_USAGE;
  const cmd = parseDeployArgs(argv, io.cwd, io.home);
  const started = Date.now();
  const d = await client.send<DeploymentView>("POST", "/api/deployments", cmd.body);
  if (d.onDemand && !cmd.body.onDemand?.preload) return cmd.json ? JSON.stringify(d, null, 2) : registeredMessage(d);
  io.progress(describeStart(d));
  for (const w of d.warnings) io.progress(`  warning: ${w}`);
  if (!cmd.wait) return cmd.json ? JSON.stringify(d, null, 2) : `${d.name} ${d.state} on ${d.node}: follow with 'switchyard ps' or 'switchyard logs ${d.name} -f'`;
  return followUntilReady(client, d, { started, timeoutS: cmd.timeoutS, json: cmd.json, progress: io.progress });
}

/** Polls a deployment until it serves (its endpoint), fails, or the timeout passes; progress on the side. */
export async function followUntilReady(
  client: ApiClient, first: DeploymentView, opts: { started: number; timeoutS: number; json: boolean; progress(line: string): void },
): Promise<string> {
  const { started, timeoutS } = opts;
  let d = first;
  let last = "";
  const deadline = started + timeoutS * 1000;
  for (;;) {
    const shown = `${d.state}:${d.progress?.pct?.toFixed(0) ?? ""}`;
    if (shown !== last && d.state !== "ready" && d.state !== "failed" && d.state !== "standby") {
      opts.progress(describeState(d, `(${((Date.now() - started) / 1000).toFixed(1)} s)`));
      last = shown;
    }
    if (d.state === "ready" && d.endpoint) return opts.json ? JSON.stringify(d, null, 2) : readyMessage(d, Date.now() - started);
    if (d.state === "failed") throw new CliError(failureMessage(d));
    const failedLoad = loadFailure(d, started);
    if (failedLoad) throw new CliError(failedLoad);
    if (d.state === "stopping" || d.state === "stopped") throw new CliError(`${d.name} was stopped while it was starting`);
    if (Date.now() > deadline) {
      throw new CliError(`${d.name} is still ${d.state} after ${timeoutS} s; it keeps going: follow it with 'switchyard logs ${d.name} -f', or stop it with 'switchyard stop ${d.name}'`);
    }
    await new Promise((r) => setTimeout(r, POLL_MS));
    d = await client.get<DeploymentView>(`/api/deployments/${encodeURIComponent(d.name)}`);
  }
}
