/**
 * Gateway API keys. Keys are stored as sha256 hashes only and shown once, at creation. Lookups are
 * one hash and one Map get per request; usage counters add up in memory and are written in batches.
 * Config-file keys are synced into the same table at start (source "config", read-only in the UI).
 * No transport here: the gateway's edge reads the presented key out of a request
 * (server/gateway/auth/presented-key.ts) and hands in the string.
 */
import { createHash, randomBytes, randomUUID } from "node:crypto";
import type { ApiKeyView } from "../../../protocol/gateway";
import type { GatewayKeyRow, GatewayRepo, UsageDelta } from "../../db/repos/gateway-repo";
import { ServiceError } from "../errors";

export const KEY_PREFIX = "sk-sy-";

/** A key of the config file's `apiKeys`. */
export interface ConfigKey {
  name: string;
  key: string;
  models?: string[];
}

export const hashKey = (key: string): string => createHash("sha256").update(key).digest("hex");

export function newKey(): string {
  return KEY_PREFIX + randomBytes(24).toString("base64url");
}

/**
 * What is shown of a key in lists: enough to recognise it, never enough to use it. Our own keys show
 * their fixed marker and last 4 characters (of 32 random ones). A key from the config file may be
 * short or guessable, so at most a quarter of it is shown ("sk-example-123" → "s…23").
 */
export function keyPrefix(key: string): string {
  if (key.startsWith(KEY_PREFIX) && key.length >= KEY_PREFIX.length + 16) return `${KEY_PREFIX}…${key.slice(-4)}`;
  const shown = Math.floor(key.length / 4);
  const head = Math.min(3, Math.floor(shown / 2));
  const tail = Math.min(4, shown - head);
  return `${key.slice(0, head)}…${tail > 0 ? key.slice(-tail) : ""}`;
}

/**
 * A key as the dashboard lists it, plus stand-ins that are never listed and count no usage: the
 * admin token, the dashboard's session (the playground), and the server's own keys (benchmarks).
 */
export interface GatewayKey extends Omit<ApiKeyView, "source"> {
  source: ApiKeyView["source"] | "admin" | "dashboard" | "internal";
}

function fromRow(r: GatewayKeyRow): GatewayKey {
  let models: string[] | null = null;
  try {
    models = r.models ? (JSON.parse(r.models) as string[]) : null;
  } catch {
    models = null;
  }
  return {
    id: r.id, name: r.name, prefix: r.prefix, source: r.source === "config" ? "config" : "ui", models,
    createdAt: r.createdAt, revokedAt: r.revokedAt, lastUsedAt: r.lastUsedAt,
    requests: r.requests, inputTokens: r.inputTokens, outputTokens: r.outputTokens,
  };
}

/**
 * Keys live in memory (loaded at start, updated on create and revoke) so that authenticating a
 * request never waits on the database; only dashboard actions and the batched usage write do.
 */
export class KeyStore {
  private byHash = new Map<string, GatewayKey>();
  private byId = new Map<string, GatewayKey>();
  /**
   * Recently presented keys → their hash: a client sends the same key with every request, and
   * hashing it each time showed in profiles. Bounded (cleared when full); only keys that hashed to
   * a stored key get in, so made-up ones cannot fill it.
   */
  private hashed = new Map<string, string>();
  private pending = new Map<string, UsageDelta>();
  /** The server's own keys (addInternal), by hash. */
  private internal = new Map<string, GatewayKey>();

  constructor(
    private readonly repo: GatewayRepo,
    private readonly isAdminToken: (t: string) => boolean,
    private readonly now: () => number = Date.now,
    /** After a create or revoke made here (several servers: the others reload). */
    private readonly onChange: () => void = () => {},
  ) {}

  /** Reads the table after syncing the config file's keys into it. */
  async load(configKeys: readonly ConfigKey[]): Promise<void> {
    const at = this.now();
    await this.repo.syncConfigKeys(configKeys.map((k) => ({
      id: randomUUID(), name: k.name, hash: hashKey(k.key), prefix: keyPrefix(k.key), source: "config",
      models: k.models ? JSON.stringify(k.models) : null, createdAt: at,
    })));
    await this.reload();
  }

  /**
   * Reads the table again: keys made or revoked on another server, and the usage every server
   * counted (plus what this one has not written yet). The maps are swapped whole, so a request
   * never sees half of them.
   */
  async reload(): Promise<void> {
    const rows = await this.repo.keys();
    const byHash = new Map<string, GatewayKey>();
    const byId = new Map<string, GatewayKey>();
    for (const row of rows) {
      const key = fromRow(row);
      const d = this.pending.get(key.id);
      if (d) {
        key.requests += d.requests;
        key.inputTokens += d.inputTokens;
        key.outputTokens += d.outputTokens;
        key.lastUsedAt = Math.max(key.lastUsedAt ?? 0, d.lastUsedAt);
      }
      byId.set(key.id, key);
      if (key.revokedAt === null) byHash.set(row.hash, key);
    }
    this.byHash = byHash;
    this.byId = byId;
  }

  /** The key a request presents, or null. The admin token also opens the gateway (as "admin"). */
  authenticate(presented: string): GatewayKey | null {
    let hash = this.hashed.get(presented);
    if (hash === undefined) {
      hash = hashKey(presented);
      if (this.byHash.has(hash) || this.internal.has(hash)) {
        if (this.hashed.size >= 1024) this.hashed.clear();
        this.hashed.set(presented, hash);
      }
    }
    // Revocation removes the hash from byHash: a cached key stops working at once.
    const hit = this.byHash.get(hash) ?? this.internal.get(hash);
    if (hit) return hit;
    if (this.isAdminToken(presented)) return ADMIN_KEY;
    return null;
  }

  /**
   * A key for the server's own requests (benchmarks run through the gateway), named in the request
   * log. Random per start, held only in memory, never listed.
   */
  addInternal(name: string): string {
    const key = newKey();
    this.internal.set(hashKey(key), { ...ADMIN_KEY, id: `internal:${name}`, name, prefix: `(${name})`, source: "internal" });
    return key;
  }

  allows(key: GatewayKey, model: string): boolean {
    return key.models === null || key.models.includes(model);
  }

  list(): GatewayKey[] {
    return [...this.byId.values()].sort((a, b) => a.createdAt - b.createdAt || a.name.localeCompare(b.name));
  }

  /** Creates a dashboard key; the plaintext is returned this once and never stored. */
  async create(name: string, models: string[] | null): Promise<{ key: string; record: GatewayKey }> {
    if ([...this.byId.values()].some((k) => k.name === name && k.revokedAt === null)) {
      throw new ServiceError("conflict", `a key named ${name} already exists: pick another name or revoke that one first`);
    }
    const key = newKey();
    const row = { id: randomUUID(), name, hash: hashKey(key), prefix: keyPrefix(key), source: "ui", models: models ? JSON.stringify(models) : null, createdAt: this.now() };
    const record = fromRow({ ...row, revokedAt: null, lastUsedAt: null, requests: 0, inputTokens: 0, outputTokens: 0 });
    const namesakes = [...this.byId.values()].filter((k) => k.name === name); // revoked: they give way
    // Taken in memory before the writes, so a second create of the same name meanwhile is refused.
    for (const k of namesakes) this.byId.delete(k.id);
    this.byId.set(record.id, record);
    try {
      for (const k of namesakes) await this.repo.deleteKey(k.id);
      await this.repo.insertKey(row);
    } catch (err) {
      this.byId.delete(record.id);
      for (const k of namesakes) this.byId.set(k.id, k);
      throw err;
    }
    this.byHash.set(row.hash, record);
    this.onChange();
    return { key, record };
  }

  async revoke(id: string): Promise<GatewayKey> {
    const key = this.byId.get(id);
    if (!key) throw new ServiceError("not_found", `no API key with id ${id}`);
    if (key.source === "config") throw new ServiceError("conflict", `key ${key.name} comes from the config file: remove it there`);
    if (key.revokedAt !== null) return key;
    // Refused at once, before the write lands; a failed write puts it back as the table has it.
    const hashes = [...this.byHash].filter(([, k]) => k.id === id).map(([hash]) => hash);
    key.revokedAt = this.now();
    for (const hash of hashes) this.byHash.delete(hash);
    try {
      await this.repo.revokeKey(id, key.revokedAt);
    } catch (err) {
      key.revokedAt = null;
      for (const hash of hashes) this.byHash.set(hash, key);
      throw err;
    }
    this.onChange();
    return key;
  }

  /** Counts one finished request (in memory; flush() writes). */
  recordUsage(key: GatewayKey, inputTokens: number | null, outputTokens: number | null): void {
    if (key.source !== "config" && key.source !== "ui") return;
    const at = this.now();
    key.requests++;
    key.inputTokens += inputTokens ?? 0;
    key.outputTokens += outputTokens ?? 0;
    key.lastUsedAt = at;
    this.addPending({ id: key.id, requests: 1, inputTokens: inputTokens ?? 0, outputTokens: outputTokens ?? 0, lastUsedAt: at });
  }

  private addPending(delta: UsageDelta): void {
    const d = this.pending.get(delta.id);
    if (!d) return void this.pending.set(delta.id, { ...delta });
    d.requests += delta.requests;
    d.inputTokens += delta.inputTokens;
    d.outputTokens += delta.outputTokens;
    d.lastUsedAt = Math.max(d.lastUsedAt, delta.lastUsedAt);
  }

  async flush(): Promise<void> {
    if (this.pending.size === 0) return;
    const deltas = [...this.pending.values()];
    this.pending.clear();
    try {
      await this.repo.addUsage(deltas);
    } catch (err) {
      for (const d of deltas) this.addPending(d); // counted again on the next flush, not lost
      throw err;
    }
  }
}

const ADMIN_KEY: GatewayKey = {
  id: "admin", name: "admin", prefix: "(admin token)", source: "admin", models: null,
  createdAt: 0, revokedAt: null, lastUsedAt: null, requests: 0, inputTokens: 0, outputTokens: 0,
};

/** Requests of the dashboard's own pages, signed in by session (server/gateway/auth/dashboard-session.ts). */
export const DASHBOARD_KEY: GatewayKey = { ...ADMIN_KEY, id: "dashboard", name: "dashboard", prefix: "(dashboard session)", source: "dashboard" };
