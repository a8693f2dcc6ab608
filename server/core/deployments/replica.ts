/**
 * Deployments on several servers. Each server changes records (a deploy or stop asked there, the
 * reports of the agents it holds) and tells the others; they fold the change into memory here.
 *
 * Reports are ordered by their sequence number, and a server may hear two of them in either order
 * (the answer to a deploy on the server that asked, a later state event on the server holding the
 * agent). So a change carries the sequence of the newest report in it, and one older than what a
 * server has already applied keeps that server's report fields (taking only what was asked,
 * `desired`). A change without a sequence (a verb, or a redeploy that restarts the count) is taken
 * whole and resets the count.
 */
import type { DeploymentsContext } from "./context";
import type { DeploymentRecord } from "./types";

export type DeploymentChange =
  | { op: "put"; record: DeploymentRecord; seq: number | null }
  | { op: "remove"; id: string };

export interface DeploymentReplica {
  /** Hears every change made on this server (to tell the others). */
  onChange(listener: (change: DeploymentChange) => void): () => void;
  /** Folds in a change another server made. */
  apply(change: DeploymentChange): Promise<void>;
  /** Rereads every persisted record (messages between servers may have been missed meanwhile). */
  resync(): Promise<void>;
}

/** What a server keeps of a remote change, given what it holds: pure, table-tested. */
export function mergeRemote(
  local: DeploymentRecord | null, localSeq: number | undefined, remote: DeploymentRecord, remoteSeq: number | null,
): { record: DeploymentRecord; seq: number | null } {
  if (local && remoteSeq !== null && localSeq !== undefined && remoteSeq < localSeq) {
    return { record: { ...local, desired: remote.desired }, seq: localSeq };
  }
  return { record: remote, seq: remoteSeq };
}

const LIVE: ReadonlyArray<keyof DeploymentRecord> = ["pids", "progress"];

export function createReplica(ctx: DeploymentsContext): DeploymentReplica & { changed(change: { op: "put"; record: DeploymentRecord } | { op: "remove"; id: string }): void } {
  const listeners = new Set<(change: DeploymentChange) => void>();
  const loadKey = async (r: DeploymentRecord) => {
    if (!r.spec.options.apiKey || ctx.apiKeys.has(r.id)) return;
    const key = await ctx.secrets.deploymentApiKey(r.id).catch(() => null);
    if (key) ctx.apiKeys.set(r.id, key);
  };

  return {
    changed(change) {
      const out: DeploymentChange = change.op === "put" ? { ...change, seq: ctx.seqs.get(change.record.id) ?? null } : change;
      for (const l of listeners) {
        try {
          l(out);
        } catch (err) {
          ctx.log.error({ err }, "a deployment change listener failed");
        }
      }
    },
    onChange(listener) {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
    async apply(change) {
      if (change.op === "remove") {
        ctx.store.removeRemote(change.id);
        ctx.seqs.delete(change.id);
        ctx.apiKeys.delete(change.id);
        return;
      }
      const { record, seq } = mergeRemote(ctx.store.byId(change.record.id), ctx.seqs.get(change.record.id), change.record, change.seq);
      ctx.store.putRemote(record);
      if (seq === null) ctx.seqs.delete(record.id);
      else ctx.seqs.set(record.id, seq);
      await loadKey(record);
    },
    async resync() {
      const stored = await ctx.store.reread();
      const ids = new Set(stored.map((r) => r.id));
      for (const r of ctx.store.all()) {
        if (!ids.has(r.id) && !ctx.creating.has(r.id)) {
          ctx.store.removeRemote(r.id);
          ctx.seqs.delete(r.id);
        }
      }
      for (const r of stored) {
        const current = ctx.store.byId(r.id);
        const live = current ? Object.fromEntries(LIVE.map((k) => [k, current[k]])) : {};
        ctx.store.putRemote({ ...r, ...live });
        await loadKey(r);
      }
    },
  };
}
