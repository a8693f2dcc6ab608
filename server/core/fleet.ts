/**
 * The live fleet: every node's newest telemetry, who is online, and change notifications for the
 * live view. Inventory (nodes, GPUs, the last snapshot) is persisted so a restarted server shows
 * the fleet as it was, offline until the agents reconnect.
 *
 * With several servers, a node whose agent is connected to another server is "remote" here: its
 * views arrive from that server (applyRemote) and nothing about it is written by this one.
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
  /** Its agent is connected to another server, which speaks for it. */
  remote: boolean;
  /** Saving it failed (the database is down): said once in the log until it works again. */
  saveFailing?: boolean;
}

/**
 * `origin` says who speaks for the change: "local" when this server holds the node's agent, "remote"
 * when the view came from the server that does (or was inferred here about such a node).
 */
export type FleetListener = (node: NodeView, sampleTs: number | null, origin: "local" | "remote") => void;
/** `origin`: "local" when removed on this server, "remote" when another server removed it. */
export type RemovalListener = (name: string, origin: "local" | "remote") => void;

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
  /** A node's view as the server holding its agent sent it (several servers); nothing is written here. */
  applyRemote(view: NodeView, sampleTs: number | null): void;
  /** Forgets a node another server removed (its rows are gone already). */
  forget(name: string): void;
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
    byId.set(row.id, { view, lastPersisted: row.lastSeen ?? 0, gpuKey: gpuKeyOf(view), connectedAt: null, remote: false });
    idByName.set(row.name, row.id);
  }

  const emit = (state: NodeState, sampleTs: number | null) => {
    const origin = state.remote ? "remote" : "local";
    for (const l of listeners) {
      try {
        l(state.view, sampleTs, origin);
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
      const state: NodeState = { view, lastPersisted: existing?.lastPersisted ?? 0, gpuKey: existing?.gpuKey ?? "", connectedAt: now, remote: false };
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
      state.remote = false;
      // The live view goes out first: a database that is down (a restart) must not freeze it.
      emit(state, newest.ts);
      const key = gpuKeyOf(state.view);
      try {
        if (key !== state.gpuKey) {
          await repo.upsertGpus(nodeId, snap.gpus, now);
          state.gpuKey = key;
        }
        if (now - state.lastPersisted >= PERSIST_EVERY_MS) await persist(state);
        state.saveFailing = false;
      } catch (err) {
        state.lastPersisted = now; // tried again in PERSIST_EVERY_MS, not on every sample
        if (!state.saveFailing) log.warn({ node: state.view.name, err: (err as Error).message.slice(0, 200) }, "could not save a node's inventory; kept in memory, saved when the database is back");
        state.saveFailing = true;
      }
    },

    async disconnect(nodeId) {
      const state = byId.get(nodeId);
      if (!state || !state.view.online) return;
      state.view = { ...state.view, online: false, processes: [] };
      state.connectedAt = null;
      emit(state, null);
      // A remote node gone silent (its server died) is the business of the server that held it.
      if (state.remote) return;
      await persist(state).catch((err: Error) => log.warn({ node: state.view.name, err: err.message }, "could not save a node going offline"));
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
      for (const l of removalListeners) l(name, "local");
    },

    applyRemote(view, sampleTs) {
      const previousId = idByName.get(view.name);
      if (previousId && previousId !== view.id) byId.delete(previousId); // removed and enrolled again elsewhere
      const existing = byId.get(view.id);
      const state: NodeState = existing ?? { view, lastPersisted: Date.now(), gpuKey: gpuKeyOf(view), connectedAt: null, remote: true };
      state.view = view;
      state.remote = true;
      byId.set(view.id, state);
      idByName.set(view.name, view.id);
      emit(state, sampleTs);
    },

    forget(name) {
      const id = idByName.get(name);
      if (!id) return;
      byId.delete(id);
      idByName.delete(name);
      for (const l of removalListeners) l(name, "remote");
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
