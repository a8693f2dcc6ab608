import { randomUUID } from "node:crypto";
import { eq } from "drizzle-orm";
import type { NodeFacts } from "../../../protocol/agent-wire";
import type { Gpu, Snapshot } from "../../../protocol/telemetry";
import type { DbHandle } from "../client";

export interface StoredNode {
  id: string;
  name: string;
  agentVersion: string | null;
  facts: NodeFacts | null;
  lastSnapshot: Snapshot | null;
  lastSeen: number | null;
}

export interface NodesRepo {
  list(): Promise<StoredNode[]>;
  /** Registers a node on its hello (new name → new id) and returns its id. */
  upsertOnHello(input: { name: string; agentVersion: string; facts: NodeFacts; now: number }): Promise<string>;
  saveSnapshot(nodeId: string, snapshot: Snapshot, lastSeen: number): Promise<void>;
  upsertGpus(nodeId: string, list: Gpu[], now: number): Promise<void>;
  /** Forgets a node: its row, its GPUs and their history. */
  remove(nodeId: string): Promise<void>;
}

function parseJson<T>(text: string | null): T | null {
  if (!text) return null;
  try {
    return JSON.parse(text) as T;
  } catch {
    return null;
  }
}

export function nodesRepo(handle: DbHandle): NodesRepo {
  const { db, schema: { gpuSamples, gpus, hostSamples, nodes } } = handle;
  return {
    async list() {
      return (await db.select().from(nodes)).map((row) => ({
        id: row.id,
        name: row.name,
        agentVersion: row.agentVersion,
        facts: parseJson<NodeFacts>(row.facts),
        lastSnapshot: parseJson<Snapshot>(row.lastSnapshot),
        lastSeen: row.lastSeen,
      }));
    },
    async upsertOnHello({ name, agentVersion, facts, now }) {
      const [row] = await db
        .insert(nodes)
        .values({ id: randomUUID(), name, agentVersion, facts: JSON.stringify(facts), firstSeen: now, lastSeen: now })
        .onConflictDoUpdate({ target: nodes.name, set: { agentVersion, facts: JSON.stringify(facts), lastSeen: now } })
        .returning({ id: nodes.id });
      return row!.id;
    },
    async saveSnapshot(nodeId, snapshot, lastSeen) {
      await db.update(nodes).set({ lastSnapshot: JSON.stringify(snapshot), lastSeen }).where(eq(nodes.id, nodeId));
    },
    async remove(nodeId) {
      await handle.transaction(async (tx) => {
        await tx.delete(gpuSamples).where(eq(gpuSamples.nodeId, nodeId));
        await tx.delete(hostSamples).where(eq(hostSamples.nodeId, nodeId));
        await tx.delete(nodes).where(eq(nodes.id, nodeId)); // its GPUs go with it (ON DELETE CASCADE)
      });
    },
    async upsertGpus(nodeId, list, now) {
      for (const g of list) {
        const values = { nodeId, index: g.index, name: g.name, memTotalMiB: g.memTotalMiB, powerLimitW: g.powerLimitW, lastSeen: now };
        await db.insert(gpus).values({ uuid: g.uuid, ...values }).onConflictDoUpdate({ target: [gpus.nodeId, gpus.uuid], set: values });
      }
    },
  };
}
