/**
 * The other servers as the benchmarks see them: who is alive (cluster_servers), the leader, and a
 * cancel carried over the bus to the server running a benchmark (only it holds the run).
 */
import { z } from "zod";
import type { BenchmarkPeers } from "../core/benchmarks/elsewhere";
import type { Cluster } from "../core/cluster/cluster";
import type { ClusterRepo } from "../db/repos/cluster-repo";
import type { Bus } from "./bus";
import { PRESENCE_TIMING } from "./presence";

const TOPIC = "benchmark.cancel";
const cancelSchema = z.object({ id: z.string().regex(/^[A-Za-z0-9-]{1,64}$/) });

export function benchmarkPeers(deps: { bus: Bus; cluster: Cluster; repo: ClusterRepo }): BenchmarkPeers {
  const { bus, cluster, repo } = deps;
  return {
    serverId: bus.serverId,
    liveServers: () => repo.liveServers(PRESENCE_TIMING.expiryMs),
    isLeader: () => cluster.isLeader(),
    requestCancel: (id, serverId) => bus.publish(TOPIC, { id }, serverId),
    onCancelRequest: (listener) => bus.subscribe(TOPIC, cancelSchema, ({ id }) => listener(id)),
  };
}
