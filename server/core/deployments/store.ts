/**
 * Every deployment in memory, persisted on each change that matters after a restart (state,
 * reason, container, port); live-only fields (PIDs, pull progress) change in memory only. Names
 * are unique: a name is taken the moment a record is inserted, before any agent is asked.
 */
import type { DeploymentsRepo } from "../../db/repos/deployments-repo";
import { ServiceError } from "../errors";
import type { DeploymentRecord } from "./types";

// lastRequestAt is written by the load manager's own batch (repo.touch), not with every request.
const LIVE_ONLY = new Set<keyof DeploymentRecord>(["pids", "progress", "updatedAt", "lastRequestAt"]);

export interface DeploymentStore {
  all(): DeploymentRecord[];
  byId(id: string): DeploymentRecord | null;
  byName(name: string): DeploymentRecord | null;
  onNode(node: string): DeploymentRecord[];
  insert(record: DeploymentRecord): Promise<void>;
  update(id: string, patch: Partial<DeploymentRecord>): Promise<DeploymentRecord | null>;
  remove(id: string): Promise<void>;
  /** Hears every change (insert, update, removal) by id, after it is made; returns the unsubscribe. */
  onChange(listener: (id: string) => void): () => void;
}

export interface StoreHooks {
  /** After a record is removed (its secrets go with it). */
  onRemove?(record: DeploymentRecord): Promise<void>;
}

export async function createDeploymentStore(repo: DeploymentsRepo, now: () => number = Date.now, hooks: StoreHooks = {}): Promise<DeploymentStore> {
  const byId = new Map<string, DeploymentRecord>();
  for (const r of await repo.list()) byId.set(r.id, r);
  const find = (name: string) => [...byId.values()].find((r) => r.name === name) ?? null;
  const listeners = new Set<(id: string) => void>();
  const changed = (id: string) => {
    for (const l of listeners) l(id);
  };

  return {
    all: () => [...byId.values()].sort((a, b) => a.createdAt - b.createdAt || a.name.localeCompare(b.name)),
    byId: (id) => byId.get(id) ?? null,
    byName: find,
    onNode: (node) => [...byId.values()].filter((r) => r.node === node),

    async insert(record) {
      if (find(record.name)) throw new ServiceError("conflict", `a deployment named ${record.name} already exists`);
      byId.set(record.id, record);
      await repo.upsert(record);
      changed(record.id);
    },

    async update(id, patch) {
      const current = byId.get(id);
      if (!current) return null;
      const next = { ...current, ...patch, updatedAt: now() };
      byId.set(id, next);
      const persist = (Object.keys(patch) as Array<keyof DeploymentRecord>).some(
        (k) => !LIVE_ONLY.has(k) && JSON.stringify(current[k]) !== JSON.stringify(next[k]),
      );
      if (persist) await repo.upsert(next);
      changed(id);
      return next;
    },

    async remove(id) {
      const record = byId.get(id);
      byId.delete(id);
      await repo.delete(id);
      changed(id);
      if (record) await hooks.onRemove?.(record);
    },

    onChange(listener) {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
  };
}
