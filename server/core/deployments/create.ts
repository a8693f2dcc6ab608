/**
 * `POST /api/deployments`: checks the request (engine, model, name), places it (node and GPUs),
 * records it, and asks the node's agent to run it. What the agent refuses (model missing, port in
 * use, image not there, Docker down, no GPU runtime) comes back as the error, with the record
 * removed: a failed request leaves nothing behind. A request that went unanswered (timed out, the
 * connection dropped) may still be carried out by the agent: its container is stopped (now, or when
 * the agent next announces what it runs), so a deploy reported as failed never comes back later.
 * The answer is the deployment as it starts; it becomes ready (or failed) later, through the
 * agent's reports. An API key is kept server-side (the secrets store) for the gateway and redeploys.
 */
import {
  DEPLOY_ACTIONS, ENGINES, NAME_PATTERN, createDeploymentBodySchema, defaultImage, deploymentReportSchema, publicSpec,
  type CreateDeploymentBody, type DeploySpec, type DeploymentView, type Engine, type ModelRef,
} from "../../../protocol/deployments";
import { ModelRefError, defaultNameFor, parseModelRef } from "../../../protocol/model-ref";
import { modelPathRefusal } from "../../../protocol/model-path";
import { ServiceError } from "../errors";
import { applyReport } from "./apply-report";
import { AGENT_TIMEOUT_MS, refusedByAgent, trackCreate, type DeploymentsContext } from "./context";
import { parseGpuChoice, placementCandidates, sumKnown, type Candidate } from "./placement";
import type { DeploymentRecord } from "./types";
import type { FitAnswer } from "./fit-hook";
import { toView } from "./views";

const MiB = 1024 ** 2;
const ACTIVE = new Set(["pending", "pulling", "starting", "loading", "ready", "unhealthy"]);

export function engineOf(text: string): Engine {
  if (!(ENGINES as readonly string[]).includes(text)) {
    throw new ServiceError("bad_request", `unknown engine '${text}': use one of ${ENGINES.join(", ")}`);
  }
  return text as Engine;
}

/** The node checks again on its own disk (agents/docker/model-check.ts); this holds whatever Docker it uses. */
export function modelOf(text: string): ModelRef {
  let ref: ModelRef;
  try {
    ref = parseModelRef(text);
  } catch (err) {
    if (err instanceof ModelRefError) throw new ServiceError("bad_request", err.message);
    throw err;
  }
  const refusal = ref.kind === "hf" ? null : modelPathRefusal(ref.path, ref.kind);
  if (refusal) throw new ServiceError("bad_request", refusal);
  return ref;
}

/** A record that failed without leaving a container behind may be replaced by a new deploy of the same name. */
export async function claimName(ctx: DeploymentsContext, asked: string | undefined, model: ModelRef): Promise<string> {
  if (asked !== undefined) {
    if (!NAME_PATTERN.test(asked)) {
      throw new ServiceError("bad_request", `name '${asked}' must be lowercase letters, digits, '.', '_' or '-', starting with a letter or digit (at most 63)`);
    }
    const existing = ctx.store.byName(asked);
    if (!existing) return asked;
    if ((existing.state === "failed" || existing.state === "stopped") && existing.containerId === null) {
      await ctx.store.remove(existing.id);
      return asked;
    }
    throw new ServiceError("conflict", `a deployment named ${asked} already exists (${existing.state} on ${existing.node}): stop it first, or choose another --name`);
  }
  const base = defaultNameFor(model);
  for (let i = 1; ; i++) {
    const name = i === 1 ? base : `${base}-${i}`;
    const existing = ctx.store.byName(name);
    if (!existing) return name;
    if ((existing.state === "failed" || existing.state === "stopped") && existing.containerId === null) {
      await ctx.store.remove(existing.id);
      return name;
    }
  }
}

/** Active deployments per `node/gpu`, so consecutive deploys spread before telemetry shows them. */
function claims(ctx: DeploymentsContext): Map<string, number> {
  const out = new Map<string, number>();
  for (const r of ctx.store.all()) {
    if (r.desired !== "running" || !ACTIVE.has(r.state)) continue;
    for (const g of r.spec.gpus) out.set(`${r.node}/${g}`, (out.get(`${r.node}/${g}`) ?? 0) + 1);
  }
  return out;
}

/**
 * Whether a candidate fits by the fit estimate: null (unknown) without an estimator, when it cannot
 * judge the model, or when a GPU's memory is unknown (an estimate against 0 MiB would say "no").
 */
async function fitsOn(ctx: DeploymentsContext, body: CreateDeploymentBody, engine: Engine, model: ModelRef, c: Candidate): Promise<FitAnswer | null> {
  if (!ctx.fit) return null;
  const gpus: Array<{ index: number; totalBytes: number; freeBytes: number }> = [];
  for (const [i, index] of c.gpus.entries()) {
    const total = c.totalMiB[i];
    const free = c.freeMiB[i];
    if (total == null || free == null) return null;
    gpus.push({ index, totalBytes: total * MiB, freeBytes: free * MiB });
  }
  const answer = await ctx.fit({
    engine, model, ctx: body.ctx, parallel: body.options?.parallel, kvDtype: body.options?.kvCacheDtype, util: body.options?.util,
    tp: body.options?.tp ?? Math.max(1, c.gpus.length), gpus,
  });
  return answer;
}

/** The first candidate not known not to fit; with no estimate, the first. Warnings when none fits. */
async function choose(ctx: DeploymentsContext, body: CreateDeploymentBody, engine: Engine, model: ModelRef, candidates: Candidate[]) {
  const [first] = candidates;
  if (!first || !ctx.fit) return { chosen: first!, warnings: [] as string[] };
  for (const c of candidates) {
    const answer = await fitsOn(ctx, body, engine, model, c);
    if (answer?.fits !== false) return { chosen: c, warnings: answer?.warnings ?? [] };
  }
  // Estimates can be wrong in both directions: warn, and let the engine have the last word.
  const free = sumKnown(first.freeMiB);
  const freeText = free === null ? "free memory unknown" : `${(free / 1024).toFixed(1)} GiB free`;
  return { chosen: first, warnings: [`the fit estimate says this does not fit on ${first.node} GPUs ${first.gpus.join(",") || "none"} (${freeText}); deploying anyway`] };
}

export async function createDeployment(ctx: DeploymentsContext, input: unknown): Promise<DeploymentView> {
  const body = createDeploymentBodySchema.parse(input);
  const engine = engineOf(body.engine);
  const model = modelOf(body.model);
  const gpus = parseGpuChoice(body.gpus);
  const candidates = placementCandidates(ctx.fleet.list(), { engine, node: body.node, gpus, count: body.options?.tp }, claims(ctx));
  const { chosen, warnings } = await choose(ctx, body, engine, model, candidates);
  const name = await claimName(ctx, body.name, model);
  const now = ctx.now();
  const spec: DeploySpec = {
    id: ctx.newId(), name, engine, model,
    image: body.image ?? defaultImage(engine, chosen.gpus.length),
    gpus: chosen.gpus, ctx: body.ctx, port: body.port, servedName: body.servedName ?? name,
    extraArgs: body.extraArgs ?? [], options: body.options ?? {}, restart: body.restart ?? "no",
    startupTimeoutS: body.startupTimeoutS, secrets: {},
  };
  const record: DeploymentRecord = {
    id: spec.id, name, node: chosen.node, desired: "running", state: "pending", reason: null, logs: [], containerId: null,
    port: null, restarts: 0, warnings, createdAt: now, updatedAt: now, startedAt: null, readyAt: null, pids: [], progress: null,
    spec: publicSpec(spec), onDemand: null, lastRequestAt: null,
  };
  await ctx.store.insert(record);
  const settled = trackCreate(ctx, spec.id);
  try {
    const apiKey = spec.options.apiKey;
    if (apiKey) {
      await ctx.secrets.setDeploymentApiKey(spec.id, apiKey);
      ctx.apiKeys.set(spec.id, apiKey);
    }
    const hfToken = (await ctx.secrets.hfToken()) ?? undefined;
    const answer = await ctx.hub.request(chosen.node, DEPLOY_ACTIONS.create, { ...spec, secrets: { hfToken } }, AGENT_TIMEOUT_MS);
    const report = deploymentReportSchema.parse(answer);
    ctx.log.info({ deployment: name, node: chosen.node, engine, gpus: chosen.gpus, state: report.state }, "deployment created");
    return toView(ctx, (await applyReport(ctx, chosen.node, report)) ?? record);
  } catch (err) {
    if (refusedByAgent(err, ctx.hub.isConnected(chosen.node))) {
      await ctx.store.remove(spec.id);
      ctx.seqs.delete(spec.id);
    } else {
      await abandonUnanswered(ctx, record, err as Error);
    }
    throw err;
  } finally {
    settled();
  }
}

/** How long the best-effort stop after an unanswered create may take (the agent's own stop waits up to 10 s). */
const CLEANUP_STOP_TIMEOUT_MS = 20_000;

/**
 * A create the agent may still be carrying out: the record stays, wanted stopped, so that whatever
 * the node started is stopped and removed (when it answers this stop, or when it next announces)
 * instead of being adopted later as a deployment the user was told had failed.
 */
export async function abandonUnanswered(ctx: DeploymentsContext, record: DeploymentRecord, err: Error): Promise<void> {
  const { id, node, name } = record;
  await ctx.store.update(id, {
    desired: "stopped", state: "stopping", progress: null,
    reason: `the deploy did not complete (${err.message}): whatever ${node} started is stopped and removed`,
  });
  try {
    await ctx.hub.request(node, DEPLOY_ACTIONS.stop, { id }, CLEANUP_STOP_TIMEOUT_MS);
    await ctx.store.remove(id);
    ctx.seqs.delete(id);
  } catch (stopErr) {
    ctx.log.warn({ deployment: name, node, err: (stopErr as Error).message }, "a deploy went unanswered and its stop too: the node stops it when its agent next announces");
  }
}
