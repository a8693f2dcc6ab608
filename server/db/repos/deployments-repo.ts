import { and, eq, isNull, lt, or } from "drizzle-orm";
import { publicSpecSchema, type DeploymentState } from "../../../protocol/deployments";
import { onDemandPolicySchema, type OnDemandPolicy } from "../../../protocol/ondemand";
import type { DeploymentRecord } from "../../core/deployments/types";
import type { DbHandle } from "../client";
import type { deployments as deploymentsTable } from "../schema/deployments";

export interface DeploymentsRepo {
  list(): Promise<DeploymentRecord[]>;
  /** One record as persisted (null when gone or unreadable). */
  get(id: string): Promise<DeploymentRecord | null>;
  upsert(record: DeploymentRecord): Promise<void>;
  delete(id: string): Promise<void>;
  /**
   * Newest request times of on-demand deployments, in one write (the load manager's periodic flush).
   * A time never goes back: several servers write theirs. `upsert` leaves an existing row's time alone.
   */
  touch(times: ReadonlyMap<string, number>): Promise<void>;
}

function policyOf(text: string | null): OnDemandPolicy | null {
  if (!text) return null;
  try {
    const p = onDemandPolicySchema.safeParse(JSON.parse(text));
    return p.success ? p.data : null;
  } catch {
    return null;
  }
}

function jsonArray<T>(text: string | null): T[] {
  try {
    const v: unknown = text ? JSON.parse(text) : [];
    return Array.isArray(v) ? (v as T[]) : [];
  } catch {
    return [];
  }
}

/** A row as read (both dialects read the same shape). */
type Row = typeof deploymentsTable.$inferSelect;

function recordOf(row: Row): DeploymentRecord | null {
  const spec = publicSpecSchema.safeParse(JSON.parse(row.spec));
  if (!spec.success) return null; // written by a newer version: leave the row, show nothing wrong
  return {
    id: row.id, name: row.name, node: row.node, spec: spec.data,
    desired: row.desired === "stopped" ? "stopped" : "running",
    state: row.state as DeploymentState, reason: row.reason, logs: jsonArray<string>(row.logs),
    containerId: row.containerId, port: row.port, restarts: row.restarts, warnings: jsonArray<string>(row.warnings),
    createdAt: row.createdAt, updatedAt: row.updatedAt, startedAt: row.startedAt, readyAt: row.readyAt,
    onDemand: policyOf(row.onDemand), lastRequestAt: row.lastRequestAt,
    pids: [], progress: null,
  };
}

export function deploymentsRepo(handle: DbHandle): DeploymentsRepo {
  const { db, schema: { deployments } } = handle;
  return {
    async list() {
      return (await db.select().from(deployments)).map(recordOf).filter((r): r is DeploymentRecord => r !== null);
    },
    async get(id) {
      const [row] = await db.select().from(deployments).where(eq(deployments.id, id)).limit(1);
      return row ? recordOf(row) : null;
    },
    async upsert(r) {
      const values = {
        name: r.name, node: r.node, spec: JSON.stringify(r.spec), desired: r.desired, state: r.state, reason: r.reason,
        logs: JSON.stringify(r.logs), containerId: r.containerId, port: r.port, restarts: r.restarts,
        warnings: JSON.stringify(r.warnings), createdAt: r.createdAt, updatedAt: r.updatedAt, startedAt: r.startedAt, readyAt: r.readyAt,
        onDemand: r.onDemand ? JSON.stringify(r.onDemand) : null, lastRequestAt: r.lastRequestAt,
      };
      const { lastRequestAt: _writtenByTouch, ...set } = values;
      await db.insert(deployments).values({ id: r.id, ...values }).onConflictDoUpdate({ target: deployments.id, set });
    },
    async delete(id) {
      await db.delete(deployments).where(eq(deployments.id, id));
    },
    async touch(times) {
      if (times.size === 0) return;
      await handle.transaction(async (tx) => {
        for (const [id, at] of times) {
          await tx.update(deployments).set({ lastRequestAt: at })
            .where(and(eq(deployments.id, id), or(isNull(deployments.lastRequestAt), lt(deployments.lastRequestAt, at))));
        }
      });
    },
  };
}
