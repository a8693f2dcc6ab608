/**
 * Gateway API keys. Keys are stored as sha256 hashes only and shown once, at creation. Lookups are
 * one hash and one Map get per request; usage counters add up in memory and are written in batches.
 * Config-file keys are synced into the same table at start (source "config", read-only in the UI).
 */
import { createHash, randomBytes, randomUUID } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";
import type { ApiKeyView } from "../../../protocol/gateway";
import type { GatewayKeyRow, GatewayRepo, UsageDelta } from "../../db/repos/gateway-repo";
import { ServiceError } from "../../core/errors";
import type { ApiKeyConfig } from "../config/schema";

export const KEY_PREFIX = "sk-sy-";

export const hashKey = (key: string): string => createHash("sha256").update(key).digest("hex");

export function newKey(): string {
  return KEY_PREFIX + randomBytes(24).toString("base64url");
}

/** What is shown of a key in lists: enough to recognise it, never enough to use it. */
export function keyPrefix(key: string): string {
  return key.length <= 12 ? `${key.slice(0, 3)}…` : `${key.slice(0, 10)}…`;
}

/** `Authorization: Bearer KEY` or `x-api-key: KEY` (Anthropic SDKs send the latter). */
export function presentedKey(headers: IncomingHttpHeaders): string | null {
  const auth = headers.authorization;
  if (auth && auth.length > 7 && auth.slice(0, 7).toLowerCase() === "bearer ") return auth.slice(7).trim() || null;
  const x = headers["x-api-key"];
  return typeof x === "string" && x ? x.trim() : null;
}

/** A key as the dashboard lists it, plus the admin token's stand-in (which is never listed). */
export interface GatewayKey extends Omit<ApiKeyView, "source"> {
  source: ApiKeyView["source"] | "admin";
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

export class KeyStore {
  private byHash = new Map<string, GatewayKey>();
  private byId = new Map<string, GatewayKey>();
  private pending = new Map<string, UsageDelta>();

  constructor(private readonly repo: GatewayRepo, private readonly isAdminToken: (t: string) => boolean, private readonly now: () => number = Date.now) {}

  /** Reads the table after syncing the config file's keys into it. */
  load(configKeys: readonly ApiKeyConfig[]): void {
    const at = this.now();
    this.repo.syncConfigKeys(configKeys.map((k) => ({
      id: randomUUID(), name: k.name, hash: hashKey(k.key), prefix: keyPrefix(k.key), source: "config",
      models: k.models ? JSON.stringify(k.models) : null, createdAt: at,
    })));
    this.byHash.clear();
    this.byId.clear();
    for (const row of this.repo.keys()) {
      const key = fromRow(row);
      this.byId.set(key.id, key);
      if (key.revokedAt === null) this.byHash.set(row.hash, key);
    }
  }

  /** The key a request presents, or null. The admin token also opens the gateway (as "admin"). */
  authenticate(headers: IncomingHttpHeaders): GatewayKey | null {
    const presented = presentedKey(headers);
    if (!presented) return null;
    const hit = this.byHash.get(hashKey(presented));
    if (hit) return hit;
    if (this.isAdminToken(presented)) return ADMIN_KEY;
    return null;
  }

  allows(key: GatewayKey, model: string): boolean {
    return key.models === null || key.models.includes(model);
  }

  list(): GatewayKey[] {
    return [...this.byId.values()].sort((a, b) => a.createdAt - b.createdAt || a.name.localeCompare(b.name));
  }

  /** Creates a dashboard key; the plaintext is returned this once and never stored. */
  create(name: string, models: string[] | null): { key: string; record: GatewayKey } {
    if ([...this.byId.values()].some((k) => k.name === name && k.revokedAt === null)) {
      throw new ServiceError("conflict", `a key named ${name} already exists: pick another name or revoke that one first`);
    }
    for (const k of this.byId.values()) if (k.name === name) this.remove(k.id); // a revoked namesake gives way
    const key = newKey();
    const row = { id: randomUUID(), name, hash: hashKey(key), prefix: keyPrefix(key), source: "ui", models: models ? JSON.stringify(models) : null, createdAt: this.now() };
    this.repo.insertKey(row);
    const record = fromRow({ ...row, revokedAt: null, lastUsedAt: null, requests: 0, inputTokens: 0, outputTokens: 0 });
    this.byId.set(record.id, record);
    this.byHash.set(row.hash, record);
    return { key, record };
  }

  revoke(id: string): GatewayKey {
    const key = this.byId.get(id);
    if (!key) throw new ServiceError("not_found", `no API key with id ${id}`);
    if (key.source === "config") throw new ServiceError("conflict", `key ${key.name} comes from the config file: remove it there`);
    if (key.revokedAt !== null) return key;
    key.revokedAt = this.now();
    this.repo.revokeKey(id, key.revokedAt);
    for (const [hash, k] of this.byHash) if (k.id === id) this.byHash.delete(hash);
    return key;
  }

  private remove(id: string): void {
    this.repo.deleteKey(id);
    this.byId.delete(id);
  }

  /** Counts one finished request (in memory; flush() writes). */
  recordUsage(key: GatewayKey, inputTokens: number | null, outputTokens: number | null): void {
    if (key === ADMIN_KEY) return;
    const at = this.now();
    key.requests++;
    key.inputTokens += inputTokens ?? 0;
    key.outputTokens += outputTokens ?? 0;
    key.lastUsedAt = at;
    const d = this.pending.get(key.id) ?? { id: key.id, requests: 0, inputTokens: 0, outputTokens: 0, lastUsedAt: at };
    d.requests++;
    d.inputTokens += inputTokens ?? 0;
    d.outputTokens += outputTokens ?? 0;
    d.lastUsedAt = at;
    this.pending.set(key.id, d);
  }

  flush(): void {
    if (this.pending.size === 0) return;
    const deltas = [...this.pending.values()];
    this.pending.clear();
    this.repo.addUsage(deltas);
  }
}

const ADMIN_KEY: GatewayKey = {
  id: "admin", name: "admin", prefix: "(admin token)", source: "admin", models: null,
  createdAt: 0, revokedAt: null, lastUsedAt: null, requests: 0, inputTokens: 0, outputTokens: 0,
};
