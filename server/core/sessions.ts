/**
 * Dashboard sessions, kept server-side: a sign-in makes a random token (the cookie) and stores its
 * hash with an expiry; sign-out removes it; "sign out everywhere" removes all of them. Checked on
 * every page, API call and live socket, so a session found valid is remembered for a few seconds:
 * an end on this server takes effect at once, one made by another server on the same database
 * within `recheckMs`, or at once where the servers tell each other (`onEnded` → `forget`).
 */
import { createHash, randomBytes } from "node:crypto";
import type { SessionsRepo } from "../db/repos/sessions-repo";

export const SESSION_TTL_MS = 30 * 24 * 3600 * 1000;
const RECHECK_MS = 10_000;
const CACHE_MAX = 1000;
/** A token is 32 random bytes in base64url; anything much longer is not one of ours. */
const TOKEN_MAX_LENGTH = 100;

export interface Sessions {
  create(now?: number): Promise<{ token: string; maxAgeS: number }>;
  check(token: string | null | undefined, now?: number): Promise<boolean>;
  /** Ends one session (sign-out). Unknown tokens are fine. */
  end(token: string | null | undefined): Promise<void>;
  /** Ends every session (sign out everywhere, or a new admin token); returns how many there were. */
  endAll(): Promise<number>;
  /** Hears sessions ended here: the stored id (a hash, never the token), or null for all of them. */
  onEnded(listener: (id: string | null) => void): () => void;
  /** Another server ended a session (null: all): no longer remembered as valid here. */
  forget(id: string | null): void;
}

const idOf = (token: string) => createHash("sha256").update(token).digest("hex");

export function createSessions(repo: SessionsRepo, opts: { ttlMs?: number; recheckMs?: number } = {}): Sessions {
  const ttlMs = opts.ttlMs ?? SESSION_TTL_MS;
  const recheckMs = opts.recheckMs ?? RECHECK_MS;
  const cache = new Map<string, { expiresAt: number; checkedAt: number }>();
  const endedListeners = new Set<(id: string | null) => void>();
  const ended = (id: string | null) => {
    for (const l of endedListeners) l(id);
  };
  const remember = (id: string, expiresAt: number, now: number) => {
    cache.delete(id);
    cache.set(id, { expiresAt, checkedAt: now });
    if (cache.size > CACHE_MAX) cache.delete(cache.keys().next().value!);
  };

  return {
    async create(now = Date.now()) {
      const token = randomBytes(32).toString("base64url");
      const expiresAt = now + ttlMs;
      await repo.removeExpired(now);
      await repo.insert({ id: idOf(token), createdAt: now, expiresAt });
      remember(idOf(token), expiresAt, now);
      return { token, maxAgeS: Math.floor(ttlMs / 1000) };
    },
    async check(token, now = Date.now()) {
      if (!token || token.length > TOKEN_MAX_LENGTH) return false;
      const id = idOf(token);
      const hit = cache.get(id);
      if (hit && now - hit.checkedAt < recheckMs) return hit.expiresAt > now;
      const expiresAt = await repo.expiresAt(id);
      if (expiresAt === null || expiresAt <= now) {
        cache.delete(id);
        return false;
      }
      remember(id, expiresAt, now);
      return true;
    },
    async end(token) {
      if (!token || token.length > TOKEN_MAX_LENGTH) return;
      const id = idOf(token);
      cache.delete(id);
      await repo.remove(id);
      ended(id);
    },
    async endAll() {
      cache.clear();
      const n = await repo.removeAll();
      ended(null);
      return n;
    },
    onEnded(listener) {
      endedListeners.add(listener);
      return () => void endedListeners.delete(listener);
    },
    forget(id) {
      if (id === null) cache.clear();
      else cache.delete(id);
    },
  };
}
