/**
 * The benchmarks as the composition root wires them: the repository, the route facts read from the
 * gateway, and requests sent to this server's own gateway under a key of its own ("benchmark" in
 * the request log), so a benchmark measures what clients get.
 */
import type { DbHandle } from "../../db/client";
import { pinnedFetch } from "../../../lib/pinned-fetch";
import type { Fingerprint } from "../../../lib/tls-pin";
import { benchmarksRepo } from "../../db/repos/benchmarks-repo";
import type { ContextDeps, RouteFacts } from "./context";
import type { BenchmarkPeers } from "./elsewhere";
import { createBenchmarks, type Benchmarks } from "./service";
import { streamChat } from "./stream-request";

/** The gateway as benchmarks see it (structural, so core imports nothing of server/gateway). */
export interface GatewayFacts {
  resolve(model: string): { tiers: Array<Array<{ backend: string; id: string }>> } | null;
  backends(): ReadonlyMap<string, { kind: string; api: string; source: "config" | "deployment" }>;
  models(): string[];
  keys: { addInternal(name: string): string };
}

export interface BenchmarkModuleDeps {
  db: DbHandle;
  gateway: GatewayFacts;
  deployments: ContextDeps["deployments"];
  fleet: ContextDeps["fleet"];
  /** This server's own base URL, known once it listens. */
  gatewayUrl: () => string;
  /** This server's own certificate when it serves HTTPS (a self-signed one is trusted by its pin). */
  fingerprint: Fingerprint | null;
  /** Several servers: the others (a benchmark runs on the server that started it). */
  peers?: BenchmarkPeers;
}

export function createBenchmarkModule(deps: BenchmarkModuleDeps): Promise<Benchmarks> {
  const { gateway } = deps;
  const key = gateway.keys.addInternal("benchmark");
  const transport = deps.fingerprint ? pinnedFetch(deps.fingerprint, "this server's own gateway") : fetch;
  const routes: RouteFacts = {
    targets: (model) => gateway.resolve(model)?.tiers.flat().map((t) => ({ backend: t.backend, id: t.id })) ?? null,
    backend: (name) => gateway.backends().get(name),
  };
  return createBenchmarks({
    repo: benchmarksRepo(deps.db),
    context: { routes, deployments: deps.deployments, fleet: deps.fleet, models: () => gateway.models() },
    send: (body, signal) => streamChat({ url: deps.gatewayUrl(), key, fetch: transport }, body, signal),
    peers: deps.peers,
  });
}
