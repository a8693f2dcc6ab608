/**
 * Every deployment in memory, persisted on each change that matters after a restart (state,
 * reason, container, port); live-only fields (PIDs, pull progress) change in memory only. Names
 * are unique: a name is taken the moment a record is inserted, before any agent is asked.
 * With several servers, each change made here is told to the others (`hooks.onChange`), and theirs
 * are put here in memory (`putRemote`, `removeRemote`): the server that made a change wrote it.
 * `onChange` listeners hear both (a load another server started is waited for here).
 */
import type { DeploymentsRepo } from "../../db/repos/deployments-repo";
import { ServiceError } from "../errors";
import type { DeploymentRecord } from "./types";

// lastRequestAt is written by the load manager's own batch (repo.touch), not with every request.
const LIVE_ONLY = new Set<keyof DeploymentRecord>(["pids", "progress", "updatedAt", "lastRequestAt"]);
// …and the other servers learn request times on their own bus topic (server/cluster/ondemand-sync.ts):
// a server's periodic write must not send its whole, maybe older, record over theirs.
const NOT_SHARED = new Set<keyof DeploymentRecord>(["lastRequestAt"]);

export interface DeploymentStore {
  all(): DeploymentRecord[];
  byId(id: string): DeploymentRecord | null;
  byName(name: string): DeploymentRecord | null;
  onNode(node: string): DeploymentRecord[];
  insert(record: DeploymentRecord): Promise<void>;
  update(id: string, patch: Partial<DeploymentRecord>): Promise<DeploymentRecord | null>;
  remove(id: string): Promise<void>;
  /** Another server's version of a record (memory only). */
  putRemote(record: DeploymentRecord): void;
  /** Another server removed a record (memory only); returns it. */
  removeRemote(id: string): DeploymentRecord | null;
  /** The persisted records, read again (after messages between servers may have been missed). */
  reread(): Promise<DeploymentRecord[]>;
  /**
   * One record as persisted, put here when it differs (another server's change whose message has not
   * arrived yet: the writer persists before it lets a lock go). Live-only fields stay as they are here.
   */
  refresh(id: string): Promise<DeploymentRecord | null>;
  /** Hears every change by id, after it is made: this server's (insert, update, removal) and the others' (put, removed); returns the unsubscribe. */
  onChange(listener: (id: string) => void): () => void;
}

export interface StoreHooks {
  /** After a record is removed (its secrets go with it). */
  onRemove?(record: DeploymentRecord): Promise<void>;
  /** After each change made on this server, once written. */
  onChange?(change: { op: "put"; record: DeploymentRecord } | { op: "remove"; id: string }): void;
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
      hooks.onChange?.({ op: "put", record });
      changed(record.id);
    },

    async update(id, patch) {
      const current = byId.get(id);
      if (!current) return null;
      const next = { ...current, ...patch, updatedAt: now() };
      byId.set(id, next);
      const keys = Object.keys(patch) as Array<keyof DeploymentRecord>;
      const persist = keys.some((k) => !LIVE_ONLY.has(k) && JSON.stringify(current[k]) !== JSON.stringify(next[k]));
      if (persist) await repo.upsert(next);
      if (keys.some((k) => !NOT_SHARED.has(k))) hooks.onChange?.({ op: "put", record: next });
      changed(id);
      return next;
    },

    async remove(id) {
      const record = byId.get(id);
      byId.delete(id);
      await repo.delete(id);
      hooks.onChange?.({ op: "remove", id });
      changed(id);
      if (record) await hooks.onRemove?.(record);
    },

    putRemote(record) {
      // A name belongs to one record: another with it was replaced there (a failed deploy redone).
      for (const [id, r] of byId) {
        if (r.name === record.name && id !== record.id) {
          byId.delete(id);
          changed(id);
        }
      }
      byId.set(record.id, record);
      changed(record.id);
    },

    removeRemote(id) {
      const record = byId.get(id) ?? null;
      byId.delete(id);
      if (record) changed(id);
      return record;
    },

    reread: () => repo.list(),

    async refresh(id) {
      const stored = await repo.get(id);
      const current = byId.get(id) ?? null;
      if (!stored || !current) return current;
      const live: Partial<DeploymentRecord> = { pids: current.pids, progress: current.progress, lastRequestAt: current.lastRequestAt, updatedAt: current.updatedAt };
      const merged = { ...stored, ...live };
      if (JSON.stringify(merged) === JSON.stringify(current)) return current;
      byId.set(id, merged);
      changed(id);
      return merged;
    },

    onChange(listener) {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
  };
}
