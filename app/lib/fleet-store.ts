/**
 * The browser's live picture of the fleet: nodes by name plus a short ring buffer per GPU. Fed by
 * `/ws/live` and by REST; read through per-node subscriptions so one node's update re-renders only
 * that node's components. Notifications are batched to one per animation frame, and frames to at
 * most one per FLUSH_GAP_MS: a fleet of 50 nodes reports 50 times a second, and every frame that
 * changes the page costs the browser a pass over the whole document (layerize, commit) however
 * little changed.
 */
import type { GpuPoint, HostPoint, NodeView } from "../../protocol/live";
import { meanKnown, sumKnown } from "./format";
import { gpuGap, hostGap, TimeRing } from "./series";

type Listener = () => void;

/**
 * What the sparklines show, and what the rings keep: no more, as 400 GPUs × one point a second is
 * most of the page's heap. The seed (5 minutes of history) fills a ring at once, so a page's heap
 * is flat from its first minutes; the node page's live ranges need only the ring's tail after their
 * history, which is refetched every minute.
 */
export const SPARK_WINDOW_MS = 5 * 60_000;
const RING_WINDOW_MS = SPARK_WINDOW_MS;
const LIVE_MAX_GAP_MS = 5_000;
/** At most four renders a second; a single node's once-a-second update is never held back. */
export const FLUSH_GAP_MS = 250;

/** Runs `flush` once, no sooner than `delayMs` from now. */
export type Scheduler = (flush: () => void, delayMs: number) => void;

export interface FleetTotals {
  nodes: number;
  nodesOnline: number;
  gpus: number;
  memUsedMiB: number | null;
  memTotalMiB: number | null;
  avgUtilPct: number | null;
  powerW: number | null;
  powerLimitW: number | null;
  warnings: number;
}

function byName(a: string, b: string): number {
  return a.localeCompare(b, undefined, { numeric: true, sensitivity: "base" });
}

export function computeTotals(nodeList: Iterable<NodeView>): FleetTotals {
  const nodes = [...nodeList];
  let count = 0;
  let online = 0;
  let warnings = 0;
  const gpus: NodeView["gpus"] = [];
  for (const n of nodes) {
    count++;
    if (n.online) online++;
    warnings += n.warnings.length;
    // An offline node's last values are history, not current load.
    if (n.online) gpus.push(...n.gpus);
  }
  const totalGpus = nodes.reduce((acc, n) => acc + n.gpus.length, 0);
  return {
    nodes: count,
    nodesOnline: online,
    gpus: totalGpus,
    memUsedMiB: sumKnown(gpus.map((g) => g.memUsedMiB)),
    memTotalMiB: sumKnown(gpus.map((g) => g.memTotalMiB)),
    avgUtilPct: meanKnown(gpus.map((g) => g.utilGpuPct)),
    powerW: sumKnown(gpus.map((g) => g.powerW)),
    powerLimitW: sumKnown(gpus.map((g) => g.powerLimitW)),
    warnings,
  };
}

export class FleetStore {
  private nodes = new Map<string, NodeView>();
  private names: readonly string[] = [];
  private rings = new Map<string, TimeRing<GpuPoint>>();
  private hostRings = new Map<string, TimeRing<HostPoint>>();
  private seeded = new Set<string>();
  /** Whether any authoritative list (snapshot or REST) has arrived yet. */
  private loaded = false;
  private version = 0;
  private totalsCache: { version: number; totals: FleetTotals } | null = null;

  private nodeListeners = new Map<string, Set<Listener>>();
  private ringListeners = new Map<string, Set<Listener>>();
  private namesListeners = new Set<Listener>();
  private anyListeners = new Set<Listener>();
  private pending = new Set<Listener>();
  private flushScheduled = false;
  private lastFlushAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly schedule: Scheduler = defaultSchedule,
    private readonly now: () => number = () => performance.now(),
  ) {}

  // ---- reads ----

  getNames = (): readonly string[] => this.names;
  getNode = (name: string): NodeView | undefined => this.nodes.get(name);
  isLoaded = (): boolean => this.loaded;
  getVersion = (): number => this.version;

  getTotals = (): FleetTotals => {
    if (this.totalsCache?.version !== this.version) {
      this.totalsCache = { version: this.version, totals: computeTotals(this.nodes.values()) };
    }
    return this.totalsCache.totals;
  };

  getRing(uuid: string): TimeRing<GpuPoint> {
    let ring = this.rings.get(uuid);
    if (!ring) {
      ring = new TimeRing(RING_WINDOW_MS, LIVE_MAX_GAP_MS, gpuGap);
      this.rings.set(uuid, ring);
    }
    return ring;
  }

  /** The node's host samples (CPU, memory) since this tab started listening. */
  getHostRing(name: string): TimeRing<HostPoint> {
    let ring = this.hostRings.get(name);
    if (!ring) {
      ring = new TimeRing(RING_WINDOW_MS, LIVE_MAX_GAP_MS, hostGap);
      this.hostRings.set(name, ring);
    }
    return ring;
  }

  // ---- subscriptions (stable functions, for useSyncExternalStore) ----

  subscribeNames = (l: Listener): (() => void) => addTo(this.namesListeners, l);
  subscribeAny = (l: Listener): (() => void) => addTo(this.anyListeners, l);
  subscribeNode(name: string, l: Listener): () => void {
    return addTo(getOrCreate(this.nodeListeners, name), l);
  }
  subscribeRing(uuid: string, l: Listener): () => void {
    return addTo(getOrCreate(this.ringListeners, uuid), l);
  }

  // ---- writes ----

  /** The authoritative node list (the socket's snapshot, or `GET /api/nodes`). */
  applyList(list: readonly NodeView[], opts: { fromSocket: boolean }): void {
    const seen = new Set<string>();
    for (const node of list) {
      seen.add(node.name);
      const prev = this.nodes.get(node.name);
      // REST answers can be older than what the socket already delivered.
      if (!opts.fromSocket && prev && (prev.lastSeen ?? 0) > (node.lastSeen ?? 0)) continue;
      this.upsert(node, node.online ? node.lastSeen : null);
    }
    for (const name of [...this.nodes.keys()]) if (!seen.has(name)) this.remove(name);
    if (!this.loaded) {
      this.loaded = true;
      this.touchNames();
    }
  }

  applyNode(node: NodeView, sampleTs: number | null): void {
    this.upsert(node, sampleTs);
  }

  remove(name: string): void {
    const prev = this.nodes.get(name);
    if (!prev) return;
    this.nodes.delete(name);
    this.hostRings.delete(name);
    this.seeded.delete(name);
    for (const g of prev.gpus) this.rings.delete(g.uuid);
    this.names = this.names.filter((n) => n !== name);
    this.version++;
    this.queue(this.nodeListeners.get(name));
    this.touchNames();
  }

  /** Fills a node's rings with history the live stream did not cover (once per node). */
  seedHistory(nodeName: string, gpus: ReadonlyArray<{ uuid: string; points: GpuPoint[] }>): void {
    if (this.seeded.has(nodeName)) return;
    this.seeded.add(nodeName);
    for (const g of gpus) {
      const ring = this.getRing(g.uuid);
      const before = ring.version;
      ring.seed(g.points);
      if (ring.version !== before) this.queue(this.ringListeners.get(g.uuid));
    }
    this.scheduleFlush();
  }

  hasSeeded(nodeName: string): boolean {
    return this.seeded.has(nodeName);
  }

  private upsert(node: NodeView, sampleTs: number | null): void {
    const isNew = !this.nodes.has(node.name);
    this.nodes.set(node.name, node);
    if (sampleTs !== null) {
      if (node.host) {
        this.getHostRing(node.name).push({ ts: sampleTs, cpuPct: node.host.cpuPct, memUsedBytes: node.host.memUsedBytes });
      }
      for (const g of node.gpus) {
        const pushed = this.getRing(g.uuid).push({
          ts: sampleTs,
          utilGpuPct: g.utilGpuPct,
          memUsedMiB: g.memUsedMiB,
          tempC: g.tempC,
          powerW: g.powerW,
        });
        if (pushed) this.queue(this.ringListeners.get(g.uuid));
      }
    }
    this.version++;
    this.queue(this.nodeListeners.get(node.name));
    if (isNew) {
      this.names = [...this.names, node.name].sort(byName);
      this.touchNames();
    } else {
      this.queue(this.anyListeners);
      this.scheduleFlush();
    }
  }

  private touchNames(): void {
    this.names = [...this.names];
    this.queue(this.namesListeners);
    this.queue(this.anyListeners);
    this.scheduleFlush();
  }

  private queue(listeners: Set<Listener> | undefined): void {
    if (!listeners) return;
    for (const l of listeners) this.pending.add(l);
  }

  private scheduleFlush(): void {
    if (this.flushScheduled || this.pending.size === 0) return;
    this.flushScheduled = true;
    this.schedule(() => {
      this.flushScheduled = false;
      this.lastFlushAt = this.now();
      const batch = [...this.pending];
      this.pending.clear();
      for (const l of batch) l();
    }, Math.max(0, this.lastFlushAt + FLUSH_GAP_MS - this.now()));
  }
}

function defaultSchedule(flush: () => void, delayMs: number): void {
  if (typeof window === "undefined") return;
  // rAF pauses in hidden tabs, which is what we want: no rendering nobody sees. The store keeps
  // the data; the pending set is bounded by the number of listeners.
  const frame = () => {
    if (document.visibilityState === "visible") window.requestAnimationFrame(flush);
    else window.setTimeout(flush, 1000);
  };
  if (delayMs > 0) window.setTimeout(frame, delayMs);
  else frame();
}

function addTo(set: Set<Listener>, l: Listener): () => void {
  set.add(l);
  return () => {
    set.delete(l);
  };
}

function getOrCreate<K, V>(map: Map<K, Set<V>>, key: K): Set<V> {
  let s = map.get(key);
  if (!s) {
    s = new Set();
    map.set(key, s);
  }
  return s;
}

/** The one store of this browser tab. */
export const fleetStore = new FleetStore();
