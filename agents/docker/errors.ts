/**
 * Docker Engine failures → errors a person can act on, with a code the server maps to HTTP.
 * Raw daemon messages are kept at the end (they are what people search for).
 */
import { AgentRequestError } from "../connection";

/** Codes the server's hub understands (server/core/errors.ts). */
export type DeployErrorCode = "bad_request" | "not_found" | "conflict" | "forbidden" | "unavailable";

export class DeployError extends AgentRequestError {
  constructor(code: DeployErrorCode, message: string) {
    super(code, message);
    this.name = "DeployError";
  }
}

interface DockerishError {
  code?: string;
  statusCode?: number;
  reason?: string;
  json?: { message?: string } | null;
  message?: string;
}

/** The daemon's own words, without dockerode's "(HTTP code 500) server error - " prefix. */
export function daemonMessage(err: unknown): string {
  const e = err as DockerishError;
  const raw = e.json?.message ?? e.message ?? String(err);
  return raw.replace(/^\(HTTP code \d+\)[^-]*- /, "").trim();
}

export interface ErrorContext {
  node: string;
  /** Where the agent reaches Docker, as DOCKER_HOST says (or the default socket). */
  endpoint: string;
  image?: string;
  port?: number;
}

const CONNECT_CODES = new Set(["ENOENT", "ECONNREFUSED", "ECONNRESET", "EHOSTUNREACH", "ETIMEDOUT", "ENOTFOUND", "EPIPE"]);

/** Linux RLIMIT_MEMLOCK is resource 8: the limit SGLang's documented `--ulimit memlock=-1` raises. */
export function isMemlockRefused(err: unknown): boolean {
  return /error setting rlimit type 8\b/i.test((err as Error).message ?? "");
}

export function isDaemonUnreachable(err: unknown): boolean {
  const code = (err as DockerishError).code;
  return code !== undefined && (CONNECT_CODES.has(code) || code === "EACCES");
}

export function toDeployError(err: unknown, ctx: ErrorContext): DeployError {
  if (err instanceof DeployError) return err;
  const e = err as DockerishError;
  const msg = daemonMessage(err);
  if (e.code === "EACCES") {
    return new DeployError("unavailable", `cannot reach the Docker Engine at ${ctx.endpoint} on ${ctx.node}: permission denied (run the agent as a user in the 'docker' group)`);
  }
  if (isDaemonUnreachable(err)) {
    return new DeployError("unavailable", `cannot reach the Docker Engine at ${ctx.endpoint} on ${ctx.node} (${msg}): is dockerd running?`);
  }
  if (/could not select device driver "nvidia"/i.test(msg)) {
    return new DeployError("bad_request", `the NVIDIA Container Toolkit is not installed on ${ctx.node}, so Docker cannot give the container GPUs (Docker said: ${msg}). Install nvidia-container-toolkit and restart dockerd, or deploy with --gpus none`);
  }
  if (/error setting rlimit/i.test(msg)) {
    return new DeployError("bad_request", `Docker on ${ctx.node} may not raise the container's resource limits (rootless Docker, or a daemon with a low hard limit) (Docker said: ${msg})`);
  }
  if (/No such image/i.test(msg)) {
    return new DeployError("bad_request", `${ctx.image ? `image ${ctx.image}` : "the image"} is not on ${ctx.node} (Docker said: ${msg})`);
  }
  if (/port is already allocated|address already in use/i.test(msg)) {
    return new DeployError("conflict", `${ctx.port ? `port ${ctx.port}` : "the port"} is in use on ${ctx.node} (Docker said: ${msg}): choose another --port or leave it out`);
  }
  if (e.statusCode === 409) return new DeployError("conflict", `Docker on ${ctx.node} refused: ${msg}`);
  return new DeployError("unavailable", `the Docker Engine on ${ctx.node} failed: ${msg}`);
}
