/**
 * `deploy --on-demand`: registers a deployment without starting it (state standby). Refused here,
 * with the fit's reason, when it could not fit anywhere it may run even with every on-demand
 * deployment there unloaded; its place is chosen again each time it loads unless --node/--gpus
 * pinned it. `--unload sleep` is vLLM's sleep mode: the engine is started able to sleep.
 */
import {
  createDeploymentBodySchema, defaultImage, publicSpec, type DeploySpec,
} from "../../../protocol/deployments";
import { ONDEMAND_DEFAULTS, type OnDemandPolicy } from "../../../protocol/ondemand";
import { ServiceError } from "../errors";
import { claimName, engineOf, modelOf } from "../deployments/create";
import { parseGpuChoice, placementCandidates, type Candidate } from "../deployments/placement";
import type { DeploymentRecord } from "../deployments/types";
import type { OnDemandContext } from "./context";
import { needOf } from "./ledger";
import { describeShortfalls } from "./messages";
import { capacity, type Shortfall } from "./room";
import { creditsNow, currentLedger } from "./snapshot";

/** The first candidate it could ever fit on (with every on-demand deployment there gone); throws when none. */
async function firstWithCapacity(o: OnDemandContext, spec: DeploySpec, candidates: Candidate[]): Promise<Candidate> {
  const ledger = await currentLedger(o);
  let best: Shortfall[] | null = null;
  for (const c of candidates) {
    const estimate = await o.estimates.get(spec, o.d.fleet.get(c.node) ?? undefined, c.gpus);
    // Unknown (no estimate, no telemetry yet): the engine will say at load time.
    if (!estimate) return c;
    const short = capacity({ ...ledger, credits: creditsNow(o), need: needOf(c.node, c.gpus, estimate), self: spec.id });
    if (short === null || short === "unknown") return c;
    best ??= short;
  }
  throw new ServiceError("bad_request", `${spec.name} can never fit where it may run, even with every on-demand deployment there unloaded: it ${describeShortfalls(best ?? [])}`, { short: best });
}

export async function registerOnDemand(o: OnDemandContext, input: unknown, preload: (id: string) => void): Promise<DeploymentRecord> {
  const { d } = o;
  const body = createDeploymentBodySchema.parse(input);
  const asked = body.onDemand ?? {};
  const engine = engineOf(body.engine);
  const model = modelOf(body.model);
  const unload = asked.unload ?? ONDEMAND_DEFAULTS.unload;
  if (unload === "sleep" && engine !== "vllm") {
    throw new ServiceError("bad_request", `--unload sleep is vLLM's sleep mode; ${engine} is unloaded by removing its container (--unload remove)`);
  }
  const candidates = placementCandidates(d.fleet.list(), { engine, node: body.node, gpus: parseGpuChoice(body.gpus), count: body.options?.tp });
  const name = await claimName(d, body.name, model);
  const spec: DeploySpec = {
    id: d.newId(), name, engine, model, image: body.image ?? defaultImage(engine, candidates[0]!.gpus.length),
    gpus: candidates[0]!.gpus, ctx: body.ctx, port: body.port, servedName: body.servedName ?? name,
    extraArgs: body.extraArgs ?? [], options: body.options ?? {}, restart: body.restart ?? "no",
    startupTimeoutS: body.startupTimeoutS, ...(unload === "sleep" ? { sleepMode: true } : {}), secrets: {},
  };
  const chosen = await firstWithCapacity(o, spec, candidates);
  const policy: OnDemandPolicy = {
    idleTimeoutS: asked.idleTimeoutS ?? ONDEMAND_DEFAULTS.idleTimeoutS,
    loadTimeoutS: asked.loadTimeoutS ?? ONDEMAND_DEFAULTS.loadTimeoutS,
    unload, node: body.node ?? null, gpus: body.gpus ?? null, image: body.image ?? null,
  };
  const now = d.now();
  const record: DeploymentRecord = {
    id: spec.id, name, node: chosen.node, desired: "running", state: "standby", reason: null, logs: [], containerId: null,
    port: null, restarts: 0, warnings: [], createdAt: now, updatedAt: now, startedAt: null, readyAt: null, pids: [], progress: null,
    spec: publicSpec({ ...spec, gpus: chosen.gpus, image: body.image ?? defaultImage(engine, chosen.gpus.length) }),
    onDemand: policy, lastRequestAt: null,
  };
  await d.store.insert(record);
  if (spec.options.apiKey) {
    await d.secrets.setDeploymentApiKey(spec.id, spec.options.apiKey);
    d.apiKeys.set(spec.id, spec.options.apiKey);
  }
  d.log.info({ deployment: name, node: chosen.node, engine, gpus: chosen.gpus, policy }, "on-demand deployment registered");
  o.changed(); // routable by its name at once
  if (asked.preload) preload(spec.id);
  return record;
}
