import { eq } from "drizzle-orm";
import { publicSpecSchema, type DeploymentState } from "../../../protocol/deployments";
import type { DeploymentRecord } from "../../core/deployments/types";
import type { DbHandle } from "../client";

export interface DeploymentsRepo {
  list(): Promise<DeploymentRecord[]>;
  upsert(record: DeploymentRecord): Promise<void>;
  delete(id: string): Promise<void>;
}

function jsonArray<T>(text: string | null): T[] {
  try {
    const v: unknown = text ? JSON.parse(text) : [];
    return Array.isArray(v) ? (v as T[]) : [];
  } catch {
    return [];
  }
}

export function deploymentsRepo({ db, schema: { deployments } }: DbHandle): DeploymentsRepo {
  return {
    async list() {
      const out: DeploymentRecord[] = [];
      for (const row of await db.select().from(deployments)) {
        const spec = publicSpecSchema.safeParse(JSON.parse(row.spec));
        if (!spec.success) continue; // written by a newer version: leave the row, show nothing wrong
        out.push({
          id: row.id, name: row.name, node: row.node, spec: spec.data,
          desired: row.desired === "stopped" ? "stopped" : "running",
          state: row.state as DeploymentState, reason: row.reason, logs: jsonArray<string>(row.logs),
          containerId: row.containerId, port: row.port, restarts: row.restarts, warnings: jsonArray<string>(row.warnings),
          createdAt: row.createdAt, updatedAt: row.updatedAt, startedAt: row.startedAt, readyAt: row.readyAt,
          pids: [], progress: null,
        });
      }
      return out;
    },
    async upsert(r) {
      const values = {
        name: r.name, node: r.node, spec: JSON.stringify(r.spec), desired: r.desired, state: r.state, reason: r.reason,
        logs: JSON.stringify(r.logs), containerId: r.containerId, port: r.port, restarts: r.restarts,
        warnings: JSON.stringify(r.warnings), createdAt: r.createdAt, updatedAt: r.updatedAt, startedAt: r.startedAt, readyAt: r.readyAt,
      };
      await db.insert(deployments).values({ id: r.id, ...values }).onConflictDoUpdate({ target: deployments.id, set: values });
    },
    async delete(id) {
      await db.delete(deployments).where(eq(deployments.id, id));
    },
  };
}
