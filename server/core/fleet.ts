/**
 * The live fleet: every node's newest telemetry, who is online, and change notifications for the
 * live view. Inventory (nodes, GPUs, the last snapshot) is persisted so a restarted server shows
 * the fleet as it was, offline until the agents reconnect.
 */
import type { NodeFacts, TelemetrySample } from "../../protocol/agent-wire";
import type { NodeView } from "../../protocol/live";
import type { NodesRepo } from "../db/repos/nodes-repo";
import { createLogger } from "../../lib/logger";
import { ServiceError } from "./errors";

const log = createLogger("fleet");
/** How often a node's latest snapshot is written to disk while it streams. */
const PERSIST_EVERY_MS = 30_000;

interface NodeState {
  view: NodeView;
  lastPersisted: number;
  gpuKey: string;
  connectedAt: number | null;
}

export type FleetListener = (node: NodeView, sampleTs: number | null) => void;
export type RemovalListener = (name: string) => void;

export interface Fleet {
  list(): NodeView[];
  get(name: string): NodeView | null;
  idOf(name: string): string | null;
  connect(input: { name: string; agentVersion: string; facts: NodeFacts }): Promise<string>;
  ingest(nodeId: string, samples: TelemetrySample[], now?: number): Promise<void>;
  disconnect(nodeId: string): Promise<void>;
  /** Marks nodes offline whose newest data is older than `offlineAfterMs`; returns their ids. */
  sweep(now: number, offlineAfterMs: number): string[];
  subscribe(listener: FleetListener): () => void;
  /** Forgets an offline node and its history; refuses an online one. */
  remove(name: string): Promise<void>;
  onRemoved(listener: RemovalListener): () => void;
  flush(): Promise<void>;
}

function gpuKeyOf(view: NodeView): string {
  return view.gpus.map((g) => `${g.index}:${g.uuid}:${g.name}:${g.memTotalMiB}:${g.powerLimitW}`).join("|");
}

export async function createFleet(repo: NodesRepo): Promise<Fleet> {
  const byId = new Map<string, NodeState>();
  const idByName = new Map<string, string>();
  const listeners = new Set<FleetListener>();
  const removalListeners = new Set<RemovalListener>();

  for (const row of await repo.list()) {
    const snap = row.lastSnapshot;
    const view: NodeView = {
      id: row.id, name: row.name, online: false, lastSeen: row.lastSeen, agentVersion: row.agentVersion,
      facts: row.facts, driver: snap?.driver ?? null, host: snap?.host ?? null,
      gpus: snap?.gpus ?? [], processes: [], warnings: snap?.warnings ?? [],
    };
    byId.set(row.id, { view, lastPersisted: row.lastSeen ?? 0, gpuKey: gpuKeyOf(view), connectedAt: null });
    idByName.set(row.name, row.id);
  }

  const emit = (state: NodeState, sampleTs: number | null) => {
    for (const l of listeners) {
      try {
        l(state.view, sampleTs);
      } catch (err) {
        log.error({ err }, "fleet listener failed");
      }
    }
  };

  const persist = async (state: NodeState) => {
    const v = state.view;
    if (v.lastSeen === null) return;
    await repo.saveSnapshot(v.id, { host: v.host ?? emptyHost(v.name), driver: v.driver ?? { version: null, cuda: null }, gpus: v.gpus, processes: v.processes, warnings: v.warnings }, v.lastSeen);
    state.lastPersisted = Date.now();
  };

  return {
    list: () => [...byId.values()].map((s) => s.view).sort((a, b) => a.name.localeCompare(b.name)),
    get: (name) => {
      const id = idByName.get(name);
      return id ? (byId.get(id)?.view ?? null) : null;
    },
    idOf: (name) => idByName.get(name) ?? null,

    async connect({ name, agentVersion, facts }) {
      const now = Date.now();
      const id = await repo.upsertOnHello({ name, agentVersion, facts, now });
      const existing = byId.get(id);
      const view: NodeView = existing
        ? { ...existing.view, online: true, agentVersion, facts, lastSeen: now }
        : { id, name, online: true, lastSeen: now, agentVersion, facts, driver: null, host: null, gpus: [], processes: [], warnings: [] };
      const state: NodeState = { view, lastPersisted: existing?.lastPersisted ?? 0, gpuKey: existing?.gpuKey ?? "", connectedAt: now };
      byId.set(id, state);
      idByName.set(name, id);
      emit(state, null);
      return id;
    },

    async ingest(nodeId, samples, now = Date.now()) {
      const state = byId.get(nodeId);
      const newest = samples[samples.length - 1];
      if (!state || !newest) return;
      const snap = newest.snapshot;
      state.view = {
        ...state.view, online: true, lastSeen: now, driver: snap.driver, host: snap.host,
        gpus: snap.gpus, processes: snap.processes, warnings: snap.warnings,
      };
      const key = gpuKeyOf(state.view);
      if (key !== state.gpuKey) {
        state.gpuKey = key;
        await repo.upsertGpus(nodeId, snap.gpus, now);
      }
      if (now - state.lastPersisted >= PERSIST_EVERY_MS) await persist(state);
      emit(state, newest.ts);
    },

    async disconnect(nodeId) {
      const state = byId.get(nodeId);
      if (!state || !state.view.online) return;
      state.view = { ...state.view, online: false, processes: [] };
      state.connectedAt = null;
      await persist(state);
      emit(state, null);
    },

    sweep(now, offlineAfterMs) {
      const stale: string[] = [];
      for (const [id, s] of byId) {
        if (s.view.online && (s.view.lastSeen ?? 0) < now - offlineAfterMs) stale.push(id);
      }
      return stale;
    },

    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },

    async remove(name) {
      const id = idByName.get(name);
      const state = id ? byId.get(id) : undefined;
      if (!id || !state) throw new ServiceError("not_found", `no node named '${name}'`);
      if (state.view.online) throw new ServiceError("conflict", `node ${name} is online: stop its agent first, or it comes straight back`);
      await repo.remove(id);
      byId.delete(id);
      idByName.delete(name);
      for (const l of removalListeners) l(name);
    },

    onRemoved(listener) {
      removalListeners.add(listener);
      return () => removalListeners.delete(listener);
    },

    async flush() {
      for (const s of byId.values()) await persist(s);
    },
  };
}

function emptyHost(hostname: string) {
  return { hostname, cpuPct: null, memUsedBytes: null, memTotalBytes: null };
}
