/**
 * Which server holds which node's agent socket. Each server writes its own claims (a row per node)
 * and heartbeats; everyone keeps a mirror in memory, so that "is this node connected, and where"
 * is answered without the database on every request. The mirror learns changes at once from the
 * bus and is re-read every heartbeat, which also drops the claims of a server that stopped
 * heartbeating (killed, cut off): its nodes count as unconnected until their agents come back
 * elsewhere.
 */
import { z } from "zod";
import type { Logger } from "../../lib/logger";
import type { Claim, ClusterRepo } from "../db/repos/cluster-repo";
import type { Bus } from "./bus";
import { serverIdSchema } from "./bus-envelope";

export const PRESENCE_TIMING = {
  heartbeatMs: 2000,
  /** A server silent this long no longer holds anything. */
  expiryMs: 10_000,
  /** The leader removes servers silent this long. */
  pruneMs: 120_000,
} as const;

const presenceSchema = z.object({
  node: z.string().min(1).max(128),
  server: serverIdSchema,
  address: z.string().max(64).nullable(),
  since: z.number().int().nonnegative(),
  held: z.boolean(),
});
const goneSchema = z.object({});

export interface Presence {
  /** The other server holding `node`'s socket, or null (none alive does, or this server does). */
  holderOf(node: string): string | null;
  /** The node's address as its holder sees the agent's connection; kept after it goes. */
  addressOf(node: string): string | null;
  /** This server took (`address`) or lost (null) a node's socket. */
  local(node: string, address: string | null): void;
  /** When this server took `node`'s socket (null when it does not hold it). */
  localSince(node: string): number | null;
  /** Forgets a node's address (the node was removed). */
  forget(node: string): void;
  /** Whether another server is alive (a server alone need not tell anyone what its agents report). */
  hasPeers(): boolean;
  /** Hears a node's holder change (another server took it: `holder` is that server; or nobody holds it now). */
  onChange(listener: (node: string, holder: string | null, since: number) => void): () => void;
  /** Runs the leader's cleanup of long-dead servers (call from a leader-only job). */
  prune(): Promise<void>;
  start(): Promise<void>;
  close(): Promise<void>;
}

interface Entry {
  server: string;
  since: number;
  /** Bumped by every change learned from the bus; a table read older than it does not undo it. */
  gen: number;
  held: boolean;
}

export function createPresence(deps: { repo: ClusterRepo; bus: Bus; label: string; log: Logger; now?: () => number; timing?: Partial<typeof PRESENCE_TIMING> }): Presence {
  const { repo, bus, log } = deps;
  const me = bus.serverId;
  const now = deps.now ?? Date.now;
  const timing = { ...PRESENCE_TIMING, ...deps.timing };
  const entries = new Map<string, Entry>();
  const addresses = new Map<string, string>();
  const mine = new Map<string, { address: string | null; since: number }>();
  const listeners = new Set<(node: string, holder: string | null, since: number) => void>();
  let gen = 0;
  let timer: NodeJS.Timeout | null = null;
  let peers = new Set<string>();

  const holderOfEntry = (e: Entry | undefined) => (e && e.held && e.server !== me ? e.server : null);
  const set = (node: string, next: Entry) => {
    const before = holderOfEntry(entries.get(node));
    entries.set(node, next);
    const after = holderOfEntry(next);
    if (before === after) return;
    for (const l of listeners) {
      try {
        l(node, after, next.since);
      } catch (err) {
        log.error({ err }, "a presence listener failed");
      }
    }
  };

  const learn = (c: z.infer<typeof presenceSchema>) => {
    const e = entries.get(c.node);
    // A release by a server that no longer holds the node says nothing about its new holder.
    if (!c.held && e && e.server !== c.server) return;
    if (c.address) addresses.set(c.node, c.address);
    set(c.node, { server: c.server, since: c.since, gen: ++gen, held: c.held });
  };

  const offPresence = bus.subscribe("presence", presenceSchema, (c, from) => {
    if (c.server !== from) return; // a server speaks for its own claims only
    peers.add(from);
    learn(c);
  });
  const offHello = bus.subscribe("server.hello", goneSchema, (_b, from) => void peers.add(from));
  const offGone = bus.subscribe("server.gone", goneSchema, (_b, from) => {
    peers.delete(from);
    for (const [node, e] of entries) if (e.server === from && e.held) set(node, { ...e, held: false, gen: ++gen });
  });

  const refresh = async () => {
    peers = new Set((await repo.liveServers(timing.expiryMs)).filter((id) => id !== me));
    const startGen = gen;
    const claims = await repo.liveClaims(timing.expiryMs);
    const seen = new Set<string>();
    for (const c of claims) {
      seen.add(c.node);
      if (c.address) addresses.set(c.node, c.address);
      const e = entries.get(c.node);
      if (e && e.gen > startGen) continue;
      if (e?.held && e.server === c.serverId && e.since === c.since) continue;
      set(c.node, { server: c.serverId, since: c.since, gen: e?.gen ?? 0, held: true });
    }
    for (const [node, e] of entries) {
      if (seen.has(node) || e.gen > startGen || !e.held) continue;
      set(node, { ...e, held: false });
    }
  };

  const writeClaim = async (node: string) => {
    const m = mine.get(node);
    const claim: Claim = { node, serverId: me, address: m?.address ?? null, since: m?.since ?? now() };
    if (m) await repo.claim(claim);
    else await repo.release(node, me);
    await bus.publish("presence", { node, server: me, address: claim.address, since: claim.since, held: !!m });
  };

  /** Claims whose write failed (the database was down): written again when it is back. */
  const dirty = new Set<string>();
  const reassert = async () => {
    const nodes = [...new Set([...mine.keys(), ...dirty])];
    dirty.clear();
    for (const [i, node] of nodes.entries()) {
      try {
        await writeClaim(node);
      } catch (err) {
        for (const n of nodes.slice(i)) dirty.add(n);
        throw err;
      }
    }
  };

  const beat = async () => {
    try {
      if (!(await repo.heartbeat(me))) {
        log.warn("this server's presence had expired (the database was unreachable for long): registering again");
        await repo.registerServer(me, deps.label, now());
        await reassert();
      }
      if (dirty.size > 0) await reassert();
      await refresh();
    } catch (err) {
      log.debug({ err: (err as Error).message }, "presence heartbeat failed");
    }
  };

  // What failed now is tried again with the next heartbeat.
  const offResync = bus.onResync(() => void reassert().then(refresh).catch((err) => log.info({ err: (err as Error).message }, "presence resync waits for the database")));

  return {
    holderOf: (node) => holderOfEntry(entries.get(node)),
    addressOf: (node) => addresses.get(node) ?? null,
    local(node, address) {
      if (address === null) {
        if (!mine.delete(node)) return;
      } else {
        mine.set(node, { address, since: now() });
        addresses.set(node, address);
      }
      set(node, { server: me, since: now(), gen: ++gen, held: address !== null });
      void writeClaim(node).catch((err) => {
        dirty.add(node);
        log.warn({ node, err: (err as Error).message }, "could not record which server holds a node (retried when the database is back)");
      });
    },
    localSince: (node) => mine.get(node)?.since ?? null,
    hasPeers: () => peers.size > 0,
    forget(node) {
      addresses.delete(node);
    },
    onChange(listener) {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
    async prune() {
      const n = await repo.pruneServers(timing.pruneMs);
      if (n > 0) log.info({ servers: n }, "forgot servers that stopped heartbeating");
    },
    async start() {
      await repo.registerServer(me, deps.label, now());
      await refresh();
      // The others start telling this server what it needs to know now, not at their next heartbeat.
      await bus.publish("server.hello", {}).catch(() => {});
      timer = setInterval(() => void beat(), timing.heartbeatMs);
      timer.unref();
    },
    async close() {
      if (timer) clearInterval(timer);
      offPresence();
      offHello();
      offGone();
      offResync();
      try {
        await repo.removeServer(me);
        await bus.publish("server.gone", {});
      } catch (err) {
        log.debug({ err: (err as Error).message }, "could not say goodbye to the other servers");
      }
    },
  };
}
