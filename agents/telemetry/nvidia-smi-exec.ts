/**
 * One-shot nvidia-smi runs (`-L`, `--version`, `--query-compute-apps`, a single `--query-gpu`),
 * shared by the long-running runner and `collectOnce`. Each returns a value or a classified
 * failure; none throws, because a box without NVIDIA GPUs is a normal box.
 */
import { execFile, type ExecFileException } from "node:child_process";
import type { DriverInfo, Gpu, GpuProcess } from "../../protocol/telemetry";
import {
  classifyFailure,
  COMPUTE_APP_FIELDS,
  isUnavailable,
  parseComputeApps,
  parseGpuLines,
  parseList,
  parseVersion,
  withoutField,
  type GpuList,
  type SmiFailure,
} from "./nvidia-smi-parse";

export type Outcome<T> = { ok: true; value: T } | { ok: false; failure: SmiFailure };

export interface ExecResult { ok: boolean; exit: number | string | null; stdout: string; output: string }

/** Cancels every run still in flight (the runner's stop()). */
export type Canceller = { add(cancel: () => void): void; remove(cancel: () => void): void };

const DEFAULT_TIMEOUT_MS = 15_000;

export function gpuQueryArgs(fields: readonly string[], loopMs?: number): string[] {
  const args = [`--query-gpu=${fields.join(",")}`, "--format=csv,noheader,nounits"];
  return loopMs === undefined ? args : [...args, "-lms", String(loopMs)];
}

export const COMPUTE_APPS_ARGS: readonly string[] = [`--query-compute-apps=${COMPUTE_APP_FIELDS.join(",")}`, "--format=csv,noheader,nounits"];

export function execNvidiaSmi(command: string, args: readonly string[], opts: { timeoutMs?: number; canceller?: Canceller } = {}): Promise<ExecResult> {
  return new Promise((resolve) => {
    let cancel = (): void => {};
    const done = (error: ExecFileException | null, stdout: string, stderr: string): void => {
      opts.canceller?.remove(cancel);
      const output = `${stderr}${stdout}`;
      if (error === null) return resolve({ ok: true, exit: 0, stdout, output });
      // execFile reports spawn failures as string codes and exits as numbers; a timeout kills.
      const exit = error.code ?? (error.killed ? "ETIMEDOUT" : (error.signal ?? null));
      resolve({ ok: false, exit, stdout, output });
    };
    try {
      const options = { timeout: opts.timeoutMs ?? DEFAULT_TIMEOUT_MS, maxBuffer: 8 * 1024 * 1024, windowsHide: true };
      const child = execFile(command, args, options, done);
      cancel = () => child.kill("SIGKILL");
      opts.canceller?.add(cancel);
    } catch (error) {
      // Thrown synchronously only for unusable arguments, e.g. an empty path: nothing to run.
      resolve({ ok: false, exit: "ENOENT", stdout: "", output: String(error) });
    }
  });
}

type RunOpts = { timeoutMs?: number; canceller?: Canceller };

async function run<T>(command: string, args: readonly string[], parse: (stdout: string) => T, opts: RunOpts): Promise<Outcome<T>> {
  const result = await execNvidiaSmi(command, args, opts);
  if (!result.ok) return { ok: false, failure: classifyFailure(result.exit, result.output, command) };
  return { ok: true, value: parse(result.stdout) };
}

export function listGpus(command: string, opts: RunOpts = {}): Promise<Outcome<GpuList>> {
  return run(command, ["-L"], parseList, opts);
}

export function queryProcesses(command: string, opts: RunOpts = {}): Promise<Outcome<GpuProcess[]>> {
  return run(command, COMPUTE_APPS_ARGS, parseComputeApps, opts);
}

/**
 * `--version`, or for drivers that predate it the `driver_version` query field (without CUDA).
 */
export async function readDriver(command: string, opts: RunOpts = {}): Promise<Outcome<DriverInfo>> {
  const version = await run(command, ["--version"], parseVersion, opts);
  if (version.ok && version.value.version !== null) return version;
  if (!version.ok && isUnavailable(version.failure)) return version;
  const fallback = await run(command, ["--query-gpu=driver_version", "--format=csv,noheader,nounits"], (out) => out.split("\n", 1)[0]!.trim(), opts);
  if (!fallback.ok) return version.ok ? { ok: true, value: { version: null, cuda: null } } : version;
  return { ok: true, value: { version: fallback.value || null, cuda: null } };
}

/**
 * One `--query-gpu` read. A driver that rejects a field gets asked again without it, so older
 * drivers still report everything they know. `fields` in the result is what finally worked.
 */
export async function queryGpusOnce(command: string, fields: readonly string[], opts: RunOpts = {}): Promise<Outcome<{ gpus: Gpu[]; fields: readonly string[] }>> {
  let current = fields;
  for (;;) {
    const asked = current;
    const outcome = await run(command, gpuQueryArgs(asked), (out) => parseGpuLines(out, asked), opts);
    if (outcome.ok) return { ok: true, value: { gpus: outcome.value, fields: asked } };
    const next = outcome.failure.kind === "invalid-field" ? withoutField(asked, outcome.failure.field ?? "") : null;
    if (next === null) return outcome;
    current = next;
  }
}
