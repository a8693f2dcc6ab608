/**
 * Room by memory, pure: whether a start fits where it would run, and what must go first when it
 * does not. Memory is counted per pool (one GPU of a node, or a node's CPU budget):
 *
 *   available = free (measured, or budget − resident estimates) − reserved by loads in progress
 *               + credited (just unloaded, not yet visible in telemetry)
 *
 * When the need exceeds what is available, idle on-demand deployments holding memory in a short
 * pool are unloaded least recently used first; one with a request in flight is never unloaded (the
 * start waits for it), nor is a pinned one; one still loading is waited for too (it can be unloaded
 * once it serves and is idle: two loads racing for one GPU take turns). What cannot be made free
 * at all is a "no room", with who holds the memory. `capacity` answers the deploy-time question: could it
 * fit even with every on-demand deployment there gone?
 */

export type PoolKey = string;

export const gpuPool = (node: string, index: number): PoolKey => `${node}/gpu${index}`;
export const cpuPool = (node: string): PoolKey => `${node}/cpu`;

export interface Pool {
  key: PoolKey;
  /** "GPU 0 of box1", "the CPU budget of box1": for messages. */
  label: string;
  totalBytes: number | null;
  /** Free now; null when unknown (no telemetry yet). */
  freeBytes: number | null;
  /** Free memory comes from telemetry (GPUs; host memory): an unload shows there only a sample later. */
  measured: boolean;
}

export type Phase = "loading" | "ready" | "sleeping";

/** A deployment that holds (or is taking) memory in some pools. */
export interface Holder {
  id: string;
  name: string;
  onDemand: boolean;
  phase: Phase;
  inFlight: number;
  lastActiveAt: number;
  holds: ReadonlyMap<PoolKey, number>;
  /** What a load in progress will still take: not in the measured free memory yet. */
  reserves: ReadonlyMap<PoolKey, number>;
}

export interface RoomInput {
  pools: ReadonlyMap<PoolKey, Pool>;
  holders: readonly Holder[];
  /** Released by unloads a moment ago, per pool. */
  credits: ReadonlyMap<PoolKey, number>;
  /** What the start needs, per pool. */
  need: ReadonlyMap<PoolKey, number>;
  /** The deployment to start: never a victim of its own start, and what it holds already counts for it. */
  self: string;
}

export interface HolderShare {
  name: string;
  bytes: number;
  pinned: boolean;
  inFlight: number;
}

export interface Shortfall {
  pool: PoolKey;
  label: string;
  needBytes: number;
  availableBytes: number;
  /** Deployments holding memory there, most first; memory no deployment accounts for (other programs). */
  holders: HolderShare[];
  otherBytes: number;
}

export type RoomDecision =
  | { kind: "fits" }
  | { kind: "evict"; victims: Holder[]; bytes: number }
  | { kind: "wait"; victims: Holder[]; busy: Holder[] }
  | { kind: "no-room"; short: Shortfall[] }
  /** A pool's free memory is unknown (no telemetry yet): nothing can be judged. */
  | { kind: "unknown"; pools: string[] };

const sumOf = (m: ReadonlyMap<PoolKey, number>, key: PoolKey) => m.get(key) ?? 0;

/** Available bytes per needed pool; null when a pool's free memory is unknown. */
function availability(input: RoomInput): { available: Map<PoolKey, number> } | { unknown: string[] } {
  const available = new Map<PoolKey, number>();
  const unknown: string[] = [];
  for (const key of input.need.keys()) {
    const pool = input.pools.get(key);
    if (!pool || pool.freeBytes === null) {
      unknown.push(pool?.label ?? key);
      continue;
    }
    let a = pool.freeBytes + (pool.measured ? sumOf(input.credits, key) : 0);
    for (const h of input.holders) {
      // Its own memory (a sleeping engine waking up) is part of what it needs already.
      if (h.id === input.self) a += sumOf(h.holds, key);
      else a -= sumOf(h.reserves, key);
    }
    available.set(key, pool.totalBytes === null ? a : Math.min(a, pool.totalBytes));
  }
  return unknown.length ? { unknown } : { available };
}

function deficits(input: RoomInput, available: ReadonlyMap<PoolKey, number>): Map<PoolKey, number> {
  const out = new Map<PoolKey, number>();
  for (const [key, need] of input.need) {
    const d = need - (available.get(key) ?? 0);
    if (d > 0) out.set(key, d);
  }
  return out;
}

/** Takes holders (in order) that hold memory in a short pool until nothing is short; the rest is left. */
function cover(short: Map<PoolKey, number>, candidates: readonly Holder[]): Holder[] {
  const taken: Holder[] = [];
  for (const h of candidates) {
    if (short.size === 0) break;
    let helps = false;
    for (const key of short.keys()) if (sumOf(h.holds, key) > 0) helps = true;
    if (!helps) continue;
    taken.push(h);
    for (const [key, d] of [...short]) {
      const left = d - sumOf(h.holds, key);
      if (left > 0) short.set(key, left);
      else short.delete(key);
    }
  }
  return taken;
}

const evictable = (h: Holder, self: string) => h.onDemand && h.id !== self && h.phase !== "loading";
const byRecency = (a: Holder, b: Holder) => a.lastActiveAt - b.lastActiveAt || a.name.localeCompare(b.name);

function shortfalls(input: RoomInput, available: ReadonlyMap<PoolKey, number>, short: ReadonlyMap<PoolKey, number>): Shortfall[] {
  return [...short.keys()].map((key) => {
    const pool = input.pools.get(key)!;
    const holders = input.holders
      .filter((h) => h.id !== input.self && sumOf(h.holds, key) > 0)
      .map((h) => ({ name: h.name, bytes: sumOf(h.holds, key), pinned: !h.onDemand, inFlight: h.inFlight }))
      .sort((a, b) => b.bytes - a.bytes);
    const held = input.holders.reduce((s, h) => s + sumOf(h.holds, key), 0);
    const otherBytes = pool.measured && pool.totalBytes !== null && pool.freeBytes !== null ? Math.max(0, pool.totalBytes - pool.freeBytes - held) : 0;
    return { pool: key, label: pool.label, needBytes: input.need.get(key)!, availableBytes: Math.max(0, available.get(key) ?? 0), holders, otherBytes };
  });
}

/** What a start needs to happen now: fits, who to unload first, who to wait for, or why not. */
export function decideRoom(input: RoomInput): RoomDecision {
  const a = availability(input);
  if ("unknown" in a) return { kind: "unknown", pools: a.unknown };
  const short = deficits(input, a.available);
  if (short.size === 0) return { kind: "fits" };
  const candidates = input.holders.filter((h) => evictable(h, input.self)).sort(byRecency);
  const left = new Map(short);
  const victims = cover(left, candidates.filter((h) => h.inFlight === 0));
  const bytes = victims.reduce((s, v) => s + [...short.keys()].reduce((t, k) => t + sumOf(v.holds, k), 0), 0);
  if (left.size === 0) return { kind: "evict", victims, bytes };
  const blocking = input.holders.filter((h) => h.onDemand && h.id !== input.self && (h.inFlight > 0 || h.phase === "loading")).sort(byRecency);
  const busy = cover(left, blocking);
  if (left.size === 0) return { kind: "wait", victims, busy };
  return { kind: "no-room", short: shortfalls(input, a.available, short) };
}

/**
 * Deploy time: whether it could ever fit here, with every on-demand deployment in these pools gone
 * (pinned deployments and other programs stay). Null when it could; the shortfall otherwise.
 */
export function capacity(input: RoomInput): Shortfall[] | null | "unknown" {
  const a = availability(input);
  if ("unknown" in a) return "unknown";
  const most = new Map(a.available);
  for (const h of input.holders) {
    if (!h.onDemand || h.id === input.self) continue;
    for (const key of most.keys()) most.set(key, most.get(key)! + sumOf(h.holds, key) + sumOf(h.reserves, key));
  }
  const short = deficits(input, most);
  return short.size === 0 ? null : shortfalls(input, most, short);
}
