/**
 * `switchyard load NAME`: starts an on-demand deployment now and waits until it serves (exit 0,
 * its endpoint), or says why it could not (exit 1, with the engine's last log lines).
 * `switchyard unload NAME`: returns it to standby (after the requests in flight).
 */
import type { DeploymentView } from "../../protocol/deployments";
import { CliError, type ApiClient } from "../client";
import { followUntilReady } from "./deploy";

const path = (name: string, verb: string) => `/api/deployments/${encodeURIComponent(name)}/${verb}`;

export async function loadCommand(client: ApiClient, args: { name?: string; timeoutS: number; json: boolean }, progress: (line: string) => void): Promise<string> {
  if (!args.name) throw new CliError("load needs the NAME of an on-demand deployment (see 'switchyard ps')", 2);
  const started = Date.now();
  // Answered at once (202) and followed here: a long load outlasts any one HTTP request.
  const d = await client.send<DeploymentView>("POST", `${path(args.name, "load")}?wait=0`);
  if (d.state === "ready" && d.endpoint) return args.json ? JSON.stringify(d, null, 2) : `${d.name} is already loaded on ${d.node}\nendpoint: ${d.endpoint}`;
  progress(`loading ${d.name} (${d.engine}, ${d.model})`);
  return followUntilReady(client, d, { started, timeoutS: args.timeoutS, json: args.json, progress });
}

export async function unloadCommand(client: ApiClient, args: { name?: string; json: boolean }): Promise<string> {
  if (!args.name) throw new CliError("unload needs the NAME of an on-demand deployment (see 'switchyard ps')", 2);
  const d = await client.send<DeploymentView>("POST", path(args.name, "unload"));
  return args.json ? JSON.stringify(d, null, 2) : `${d.name} unloaded: ${d.state}${d.onDemand?.sleeping ? " (its engine sleeps; it wakes on the next request)" : ", nothing runs until the next request"}`;
}
