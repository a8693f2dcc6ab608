/**
 * Deployments on every server: each change a server makes to a record (a deploy or stop asked
 * there, a report of an agent it holds) goes to the others as the whole record, which they fold in
 * (server/core/deployments/replica.ts). After the bus was down, every server rereads the table.
 */
import { z } from "zod";
import { DEPLOYMENT_STATES, publicSpecSchema } from "../../protocol/deployments";
import { onDemandPolicySchema } from "../../protocol/ondemand";
import type { Logger } from "../../lib/logger";
import type { DeploymentReplica } from "../core/deployments/replica";
import type { DeploymentRecord } from "../core/deployments/types";
import type { Bus } from "./bus";

const EPOCH_MS = z.number().int().nonnegative().max(8.64e15);
const recordSchema = z.object({
  id: z.string().min(1).max(64),
  name: z.string().min(1).max(64),
  node: z.string().min(1).max(128),
  spec: publicSpecSchema,
  desired: z.enum(["running", "stopped"]),
  state: z.enum(DEPLOYMENT_STATES),
  reason: z.string().max(8000).nullable(),
  logs: z.array(z.string().max(16_384)).max(500),
  containerId: z.string().max(128).nullable(),
  port: z.number().int().min(1).max(65535).nullable(),
  restarts: z.number().int().nonnegative(),
  warnings: z.array(z.string().max(1000)).max(100),
  createdAt: EPOCH_MS,
  updatedAt: EPOCH_MS,
  startedAt: EPOCH_MS.nullable(),
  readyAt: EPOCH_MS.nullable(),
  // On demand: the policy and standby/loading/ready (the state) travel with the record; request
  // times go their own way (ondemand-sync.ts), so a record may come without a newer one.
  onDemand: onDemandPolicySchema.nullable().default(null),
  lastRequestAt: EPOCH_MS.nullable().default(null),
  pids: z.array(z.number().int().nonnegative().max(2 ** 32)).max(1024),
  progress: z.object({ pct: z.number().min(0).max(100).nullable(), text: z.string().max(300) }).nullable(),
});
const changeSchema = z.discriminatedUnion("op", [
  z.object({ op: z.literal("put"), record: recordSchema, seq: z.number().int().nonnegative().nullable() }),
  z.object({ op: z.literal("remove"), id: z.string().min(1).max(64) }),
]);

export function syncDeployments(deps: { bus: Bus; replica: DeploymentReplica; log: Logger }): () => void {
  const { bus, replica, log } = deps;
  // Changes are applied in the order they came: a put must not overtake an earlier one.
  let applying: Promise<void> = Promise.resolve();
  const offChange = replica.onChange((change) => {
    bus.publish("deployments.change", change).catch((err: Error) => log.warn({ err: err.message }, "could not tell the other servers about a deployment change (they reread on reconnect)"));
  });
  const offBus = bus.subscribe("deployments.change", changeSchema, (change) => {
    const c = change.op === "put" ? { ...change, record: change.record as DeploymentRecord } : change;
    applying = applying.then(() => replica.apply(c)).catch((err) => log.error({ err }, "applying another server's deployment change failed"));
  });
  const offResync = bus.onResync(() => {
    applying = applying.then(() => replica.resync()).catch((err) => log.warn({ err: (err as Error).message }, "rereading deployments failed"));
  });
  return () => {
    offChange();
    offBus();
    offResync();
  };
}
