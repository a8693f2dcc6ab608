/**
 * The `switchyard deploy …` command line for a deploy request: the dashboard's form shows it, so
 * whatever is clicked can be scripted. Pure; cli/deploy-args.ts parses it back (tested round trip).
 */
import type { CreateDeploymentBody } from "./deployments";
import { formatDuration } from "./duration";

/** POSIX shell quoting: bare when safe, else single quotes. */
export function shellQuote(arg: string): string {
  if (arg !== "" && /^[A-Za-z0-9_./:=,@%+-]+$/.test(arg)) return arg;
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

export function deployCommandLine(body: CreateDeploymentBody, program = "npx switchyard"): string {
  const args: string[] = ["deploy", body.engine, body.model];
  const opt = (flag: string, value: string | number | undefined) => {
    if (value !== undefined && value !== "") args.push(flag, String(value));
  };
  opt("--name", body.name);
  opt("--node", body.node);
  opt("--gpus", Array.isArray(body.gpus) ? body.gpus.join(",") : body.gpus);
  opt("--image", body.image);
  opt("--ctx", body.ctx);
  opt("--port", body.port);
  opt("--served-name", body.servedName);
  if (body.restart && body.restart !== "no") opt("--restart", body.restart);
  const o = body.options ?? {};
  opt("--util", o.util);
  opt("--kv-cache-dtype", o.kvCacheDtype);
  opt("--quantization", o.quantization);
  opt("--parallel", o.parallel);
  opt("--tp", o.tp);
  opt("--api-key", o.apiKey);
  if (body.onDemand) {
    const d = body.onDemand;
    args.push("--on-demand");
    opt("--idle-timeout", d.idleTimeoutS === undefined ? undefined : formatDuration(d.idleTimeoutS * 1000));
    opt("--load-timeout", d.loadTimeoutS === undefined ? undefined : formatDuration(d.loadTimeoutS * 1000));
    opt("--unload", d.unload);
    if (d.preload) args.push("--preload");
  }
  if (body.extraArgs?.length) args.push("--", ...body.extraArgs);
  return [program, ...args.map(shellQuote)].join(" ");
}
