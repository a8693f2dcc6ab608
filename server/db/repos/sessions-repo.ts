import { eq, lte } from "drizzle-orm";
import type { Db } from "../client";
import { sessions } from "../schema";

export interface SessionsRepo {
  insert(row: { id: string; createdAt: number; expiresAt: number }): Promise<void>;
  /** The session's expiry, or null when there is no such session. */
  expiresAt(id: string): Promise<number | null>;
  remove(id: string): Promise<void>;
  /** Removes every session; returns how many there were. */
  removeAll(): Promise<number>;
  removeExpired(now: number): Promise<void>;
}

export function sessionsRepo(db: Db): SessionsRepo {
  return {
    insert: async (row) => void (await db.insert(sessions).values(row)),
    expiresAt: async (id) => (await db.select({ e: sessions.expiresAt }).from(sessions).where(eq(sessions.id, id)).limit(1))[0]?.e ?? null,
    remove: async (id) => void (await db.delete(sessions).where(eq(sessions.id, id))),
    removeAll: async () => (await db.delete(sessions).returning({ id: sessions.id })).length,
    removeExpired: async (now) => void (await db.delete(sessions).where(lte(sessions.expiresAt, now))),
  };
}
