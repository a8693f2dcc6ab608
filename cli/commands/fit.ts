/**
 * `switchyard fit MODEL`: the VRAM estimate. Model files are read here, on the user's machine.
 * With --gpu-mem it is judged offline; otherwise the server's fit matrix says where in the fleet
 * it fits (measured free VRAM, calibrated), and with no server to ask `fits` is null with a note.
 * Exit codes: 2 for options that cannot work, 1 for a model that cannot be read.
 */
import type { FitEstimate, FitMatrixView } from "../../protocol/fit";
import { FitError } from "../../fit/errors";
import { estimateFit } from "../../fit/estimate";
import { bestCell } from "../../fit/matrix";
import type { ModelFacts } from "../../fit/model-facts";
import { resolveModelFacts } from "../../fit/model-source";
import { looksLikePath } from "../../protocol/model-ref";
import { CliError, type ApiClient } from "../client";
import { FIT_USAGE, parseFitArgs, type FitArgs } from "../fit-args";
import { renderFit, type Placement } from "../fit-format";

export interface FitIo {
  cwd: string;
  home: string;
  /** Whether a token is set (without one the server is not asked). */
  hasToken: boolean;
  /** How long to wait for the server's health answer. */
  reachTimeoutMs?: number;
}

const asCli = (err: unknown): unknown =>
  err instanceof FitError ? new CliError(err.message, err.reason === "invalid_options" ? 2 : 1) : err;

async function run<T>(fn: () => T | Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw asCli(err);
  }
}

/** Local facts; null for a repo id only the server may know (through the Hub). */
async function localFacts(model: string): Promise<ModelFacts | null> {
  try {
    return await resolveModelFacts(model);
  } catch (err) {
    if (err instanceof FitError && err.reason === "model_unknown" && !looksLikePath(model)) return null;
    throw asCli(err);
  }
}

/** Null when the server answers its health check; else why not. */
async function unreachable(client: ApiClient, io: FitIo): Promise<string | null> {
  if (!io.hasToken) return "SWITCHYARD_TOKEN is not set";
  try {
    const res = await client.fetch(`${client.baseUrl}/api/health`, { signal: AbortSignal.timeout(io.reachTimeoutMs ?? 2000) });
    return res.ok ? null : `${client.baseUrl} answered HTTP ${res.status}`;
  } catch (err) {
    return `${client.baseUrl} is unreachable (${(err as Error & { cause?: Error }).cause?.message ?? (err as Error).message})`;
  }
}

function output(args: FitArgs, r: FitEstimate, placement?: Placement | null): string {
  if (!args.json) return renderFit(args.model, r, placement);
  const place = placement === undefined ? {} : { placement: placement && { node: placement.node, gpus: placement.gpus, verdict: placement.verdict } };
  return JSON.stringify({ ...r, ...place }, null, 2);
}

async function fromFleet(client: ApiClient, args: FitArgs, facts: ModelFacts | null): Promise<string> {
  const { gpuMem: _none, tp, ...options } = args.options;
  // Files are read here (the server may be another machine); repo ids are the server's to look up
  // (the Hugging Face Hub when it reaches it, else the same catalog as here).
  const sendFacts = facts !== null && looksLikePath(args.model);
  const m = await client.send<FitMatrixView>("POST", "/api/fit/matrix", { model: args.model, ...options, ...(sendFacts ? { facts } : {}) });
  const cells = m.cells.filter((c) => (tp === undefined || c.gpus.length === tp) && c.estimate !== null);
  const best = bestCell(cells);
  const notes = m.warnings;
  if (best !== null) {
    const c = cells[best]!;
    const fitting = cells.filter((x) => x.verdict === "fits" || x.verdict === "tight").length;
    const placement: Placement = { node: c.node, gpus: c.gpus, verdict: c.verdict, headroom: c.headroom, fitting, judged: cells.length };
    return output(args, { ...c.estimate!, warnings: [...notes, ...c.estimate!.warnings] }, placement);
  }
  // Nothing fits: show the online set with the most free memory, judged "no".
  const online = cells.filter((c) => c.online);
  const free = (c: (typeof cells)[number]) => c.freeBytes.reduce<number>((s, f) => s + (f ?? 0), 0);
  const biggest = online.sort((a, b) => free(b) - free(a))[0];
  if (biggest) return output(args, { ...biggest.estimate!, warnings: [...notes, ...biggest.estimate!.warnings] }, null);
  if (!facts) throw new CliError(`no online node with GPUs to judge ${args.model} against, and its facts are only known to the server: pass --gpu-mem`);
  const r = await run(() => estimateFit(facts, { ...options, ...(tp ? { tp } : {}) }));
  return output(args, { ...r, warnings: [`no online GPU${tp ? ` set of ${tp}` : ""} in the fleet to judge against: fits is null`, ...notes, ...r.warnings] });
}

export async function fitCommand(client: ApiClient, argv: string[], io: FitIo): Promise<string> {
  const args = parseFitArgs(argv, io.cwd, io.home);
  if (args === "help") return FIT_USAGE;
  const facts = await localFacts(args.model);
  // Checked here, before any server is asked: options that cannot work are usage errors.
  const { gpuMem, ...options } = args.options;
  const offline = facts ? await run(() => estimateFit(facts, gpuMem ? args.options : options)) : null;
  if (gpuMem) {
    if (!offline) throw new CliError(`${args.model}: not a file or folder here, and not in the offline catalog; with --gpu-mem nothing else is asked`);
    return output(args, offline);
  }
  const why = await unreachable(client, io);
  if (why === null) return fromFleet(client, args, facts);
  if (!offline) throw new CliError(`${args.model}: not a file or folder here, not in the offline catalog, and no server to ask the Hugging Face Hub (${why})`);
  return output(args, { ...offline, warnings: [`no --gpu-mem and no Switchyard server to ask (${why}): fits is null; pass --gpu-mem 24GiB to judge offline`, ...offline.warnings] });
}
