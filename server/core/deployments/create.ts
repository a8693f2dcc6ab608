/**
 * `POST /api/deployments`: checks the request (engine, model, name), places it (node and GPUs),
 * records it, and asks the node's agent to run it. What the agent refuses (model missing, port in
 * use, image not there, Docker down, no GPU runtime) comes back as the error, with the record
 * removed: a failed request leaves nothing behind. The answer is the deployment as it starts; it
 * becomes ready (or failed) later, through the agent's reports.
 */
import {
  DEPLOY_ACTIONS, ENGINES, NAME_PATTERN, createDeploymentBodySchema, defaultImage, deploymentReportSchema, publicSpec,
  type CreateDeploymentBody, type DeploySpec, type DeploymentView, type Engine, type ModelRef,
} from "../../../protocol/deployments";
import { ModelRefError, defaultNameFor, parseModelRef } from "../../../protocol/model-ref";
import { ServiceError } from "../errors";
import { applyReport } from "./apply-report";
import { AGENT_TIMEOUT_MS, type DeploymentsContext } from "./context";
import { parseGpuChoice, placementCandidates, type Candidate } from "./placement";
import type { DeploymentRecord } from "./types";
import { toView } from "./views";

const MiB = 1024 ** 2;
const ACTIVE = new Set(["pending", "pulling", "starting", "loading", "ready", "unhealthy"]);

function engineOf(text: string): Engine {
  if (!(ENGINES as readonly string[]).includes(text)) {
    throw new ServiceError("bad_request", `unknown engine '${text}': use one of ${ENGINES.join(", ")}`);
  }
  return text as Engine;
}

function modelOf(text: string): ModelRef {
  try {
    return parseModelRef(text);
  } catch (err) {
    if (err instanceof ModelRefError) throw new ServiceError("bad_request", err.message);
    throw err;
  }
}

/** A record that failed without leaving a container behind may be replaced by a new deploy of the same name. */
async function claimName(ctx: DeploymentsContext, asked: string | undefined, model: ModelRef): Promise<string> {
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

/** The first candidate the fit estimate accepts; with no estimate, the first. Warnings when none fits. */
async function choose(ctx: DeploymentsContext, body: CreateDeploymentBody, engine: Engine, model: ModelRef, candidates: Candidate[]) {
  const [first] = candidates;
  if (!first || !ctx.fit) return { chosen: first!, warnings: [] as string[] };
  for (const c of candidates) {
    const answer = await ctx.fit({
      engine, model, ctx: body.ctx, parallel: body.options?.parallel, kvDtype: body.options?.kvCacheDtype, util: body.options?.util,
      tp: body.options?.tp ?? Math.max(1, c.gpus.length),
      gpus: c.gpus.map((index, i) => ({ index, totalBytes: c.totalMiB[i]! * MiB, freeBytes: c.freeMiB[i]! * MiB })),
    });
    if (!answer || answer.fits !== false) return { chosen: c, warnings: [] };
  }
  // Estimates can be wrong in both directions: warn, and let the engine have the last word.
  const free = first.freeMiB.reduce((a, b) => a + b, 0);
  return { chosen: first, warnings: [`the fit estimate says this does not fit on ${first.node} GPUs ${first.gpus.join(",") || "none"} (${(free / 1024).toFixed(1)} GiB free); deploying anyway`] };
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
    spec: publicSpec(spec),
  };
  await ctx.store.insert(record);
  try {
    const hfToken = (await ctx.secrets.hfToken()) ?? undefined;
    const answer = await ctx.hub.request(chosen.node, DEPLOY_ACTIONS.create, { ...spec, secrets: { hfToken } }, AGENT_TIMEOUT_MS);
    const report = deploymentReportSchema.parse(answer);
    ctx.log.info({ deployment: name, node: chosen.node, engine, gpus: chosen.gpus, state: report.state }, "deployment created");
    return toView(ctx, (await applyReport(ctx, report)) ?? record);
  } catch (err) {
    await ctx.store.remove(spec.id);
    ctx.seqs.delete(spec.id);
    throw err;
  }
}
