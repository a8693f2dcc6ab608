import { eq, lte } from "drizzle-orm";
import { affectedRows, type DbHandle } from "../client";

export interface SessionsRepo {
  insert(row: { id: string; createdAt: number; expiresAt: number }): Promise<void>;
  /** The session's expiry, or null when there is no such session. */
  expiresAt(id: string): Promise<number | null>;
  remove(id: string): Promise<void>;
  /** Removes every session; returns how many there were. */
  removeAll(): Promise<number>;
  removeExpired(now: number): Promise<void>;
}

export function sessionsRepo({ db, schema: { sessions } }: DbHandle): SessionsRepo {
  return {
    insert: async (row) => void (await db.insert(sessions).values(row)),
    expiresAt: async (id) => (await db.select({ e: sessions.expiresAt }).from(sessions).where(eq(sessions.id, id)).limit(1))[0]?.e ?? null,
    remove: async (id) => void (await db.delete(sessions).where(eq(sessions.id, id))),
    removeAll: async () => affectedRows(await db.delete(sessions)),
    removeExpired: async (now) => void (await db.delete(sessions).where(lte(sessions.expiresAt, now))),
  };
}
