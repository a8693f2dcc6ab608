/**
 * What makes a benchmark comparable with another: the route's first target and, when that is a
 * deployment, its engine, image, node, GPUs, context and model file, read when the benchmark starts.
 * Also whether every target is a local engine, which may be asked to ignore end-of-sequence (cloud
 * APIs refuse unknown fields).
 */
import type { BenchmarkContext } from "../../../protocol/benchmarks";
import type { DeploymentView } from "../../../protocol/deployments";
import type { NodeView } from "../../../protocol/live";

export interface RouteFacts {
  /** The route's targets in failover order (tiers flattened), or null when the model is not routable. */
  targets(model: string): Array<{ backend: string; id: string }> | null;
  backend(name: string): { kind: string; api: string; source: "config" | "deployment" } | undefined;
}

export interface ContextDeps {
  routes: RouteFacts;
  deployments: { list(): DeploymentView[] } | null;
  fleet: { get(name: string): NodeView | null };
}

export const EMPTY_CONTEXT: BenchmarkContext = {
  target: null, backend: null, backendKind: null, engine: null, image: null, node: null, gpus: [], gpuNames: [], ctx: null, modelFile: null,
};

export function benchmarkContext(model: string, deps: ContextDeps): { context: BenchmarkContext; ignoreEos: boolean } | null {
  const targets = deps.routes.targets(model);
  if (!targets) return null;
  const backends = targets.map((t) => deps.routes.backend(t.backend));
  const ignoreEos = backends.length > 0 && backends.every((b) => b !== undefined && b.kind !== "cloud" && b.api === "openai");
  const first = targets[0];
  if (!first) return { context: EMPTY_CONTEXT, ignoreEos };
  const b = backends[0];
  const context: BenchmarkContext = { ...EMPTY_CONTEXT, target: first.id, backend: first.backend, backendKind: b?.kind ?? null };
  const d = b?.source === "deployment" ? deps.deployments?.list().find((x) => x.name === first.backend) : undefined;
  if (!d) return { context, ignoreEos };
  const gpus = deps.fleet.get(d.node)?.gpus ?? [];
  return {
    context: {
      ...context, backendKind: d.engine, engine: d.engine, image: d.image, node: d.node, gpus: d.gpus,
      gpuNames: d.gpus.map((i) => gpus.find((g) => g.index === i)?.name ?? `GPU ${i}`), ctx: d.ctx, modelFile: d.model,
    },
    ignoreEos,
  };
}
