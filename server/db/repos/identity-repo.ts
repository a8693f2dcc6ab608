/**
 * Node credentials, join tokens and refused attempts. Only hashes of secrets are stored. Every
 * check-and-change is one statement (a conditional UPDATE, an insert guarded by a unique index), so
 * several servers on one database cannot both win a race.
 */
import { and, desc, eq, gt, inArray, isNull, lt, sql } from "drizzle-orm";
import type { AgentRefusalView } from "../../../protocol/enrollment";
import type { DbHandle } from "../client";

export interface CredentialRow {
  id: string;
  node: string;
  via: string;
  createdAt: number;
  revokedAt: number | null;
  /** When its agent showed it had saved it; null while an enrollment can still be undone. */
  confirmedAt: number | null;
}

export interface JoinTokenRow {
  id: string;
  createdAt: number;
  expiresAt: number;
  usedAt: number | null;
  usedBy: string | null;
}

export type RefusalRow = AgentRefusalView;

export interface IdentityRepo {
  credentialByHash(secretHash: string): Promise<CredentialRow | null>;
  activeCredential(node: string): Promise<CredentialRow | null>;
  /** Inserts a live credential; false when the name already has one (the unique index said no). */
  insertCredential(row: { id: string; node: string; secretHash: string; via: string; createdAt: number }): Promise<boolean>;
  /** Revokes the name's live credential; returns whether there was one. */
  revoke(node: string, now: number): Promise<boolean>;
  /** Marks a credential confirmed (its agent has it saved); a no-op once it is. */
  confirmCredential(id: string, now: number): Promise<void>;
  /**
   * Deletes a credential its agent never confirmed having saved (the name is free again, as if never
   * enrolled); false when it was confirmed meanwhile (on any server), or is gone.
   */
  deleteUnconfirmed(id: string): Promise<boolean>;
  /** Of these credential ids, the ones still live. */
  liveIds(ids: string[]): Promise<Set<string>>;

  insertJoinToken(row: { id: string; tokenHash: string; createdAt: number; expiresAt: number }): Promise<void>;
  joinTokenByHash(tokenHash: string): Promise<JoinTokenRow | null>;
  /** Marks an unused, unexpired token used; false when another use (or the clock) got there first. */
  consumeJoinToken(id: string, node: string, now: number): Promise<boolean>;
  /** Gives a consumed token back (its enrollment failed after all). */
  releaseJoinToken(id: string): Promise<void>;
  pendingJoinTokens(now: number): Promise<JoinTokenRow[]>;
  /** Deletes join tokens that expired before `before`; returns how many. */
  pruneJoinTokens(before: number): Promise<number>;

  /** Counts a refusal into its (node, address, code) row, then keeps only the newest `keep` rows. */
  recordRefusal(row: Omit<RefusalRow, "count" | "firstAt">, keep: number): Promise<void>;
  refusals(limit: number): Promise<RefusalRow[]>;
}

const first = <T>(rows: T[]): T | null => rows[0] ?? null;

export function identityRepo({ db, schema: { agentRefusals, joinTokens, nodeCredentials } }: DbHandle): IdentityRepo {
  const credentialColumns = {
    id: nodeCredentials.id, node: nodeCredentials.node, via: nodeCredentials.via,
    createdAt: nodeCredentials.createdAt, revokedAt: nodeCredentials.revokedAt, confirmedAt: nodeCredentials.confirmedAt,
  };
  const joinColumns = {
    id: joinTokens.id, createdAt: joinTokens.createdAt, expiresAt: joinTokens.expiresAt, usedAt: joinTokens.usedAt, usedBy: joinTokens.usedBy,
  };
  return {
    async credentialByHash(secretHash) {
      return first(await db.select(credentialColumns).from(nodeCredentials).where(eq(nodeCredentials.secretHash, secretHash)).limit(1));
    },
    async activeCredential(node) {
      return first(await db.select(credentialColumns).from(nodeCredentials)
        .where(and(eq(nodeCredentials.node, node), isNull(nodeCredentials.revokedAt))).limit(1));
    },
    async insertCredential(row) {
      const inserted = await db.insert(nodeCredentials).values({ ...row, revokedAt: null }).onConflictDoNothing().returning({ id: nodeCredentials.id });
      return inserted.length === 1;
    },
    async revoke(node, now) {
      const changed = await db.update(nodeCredentials).set({ revokedAt: now })
        .where(and(eq(nodeCredentials.node, node), isNull(nodeCredentials.revokedAt))).returning({ id: nodeCredentials.id });
      return changed.length > 0;
    },
    async confirmCredential(id, now) {
      await db.update(nodeCredentials).set({ confirmedAt: now }).where(and(eq(nodeCredentials.id, id), isNull(nodeCredentials.confirmedAt)));
    },
    async deleteUnconfirmed(id) {
      const gone = await db.delete(nodeCredentials).where(and(eq(nodeCredentials.id, id), isNull(nodeCredentials.confirmedAt))).returning({ id: nodeCredentials.id });
      return gone.length > 0;
    },
    async liveIds(ids) {
      if (ids.length === 0) return new Set();
      const rows = await db.select({ id: nodeCredentials.id }).from(nodeCredentials)
        .where(and(inArray(nodeCredentials.id, ids), isNull(nodeCredentials.revokedAt)));
      return new Set(rows.map((r) => r.id));
    },

    async insertJoinToken(row) {
      await db.insert(joinTokens).values({ ...row, usedAt: null, usedBy: null });
    },
    async joinTokenByHash(tokenHash) {
      return first(await db.select(joinColumns).from(joinTokens).where(eq(joinTokens.tokenHash, tokenHash)).limit(1));
    },
    async consumeJoinToken(id, node, now) {
      const changed = await db.update(joinTokens).set({ usedAt: now, usedBy: node })
        .where(and(eq(joinTokens.id, id), isNull(joinTokens.usedAt), gt(joinTokens.expiresAt, now))).returning({ id: joinTokens.id });
      return changed.length === 1;
    },
    async releaseJoinToken(id) {
      await db.update(joinTokens).set({ usedAt: null, usedBy: null }).where(eq(joinTokens.id, id));
    },
    async pendingJoinTokens(now) {
      return db.select(joinColumns).from(joinTokens)
        .where(and(isNull(joinTokens.usedAt), gt(joinTokens.expiresAt, now))).orderBy(desc(joinTokens.createdAt));
    },
    async pruneJoinTokens(before) {
      return (await db.delete(joinTokens).where(lt(joinTokens.expiresAt, before)).returning({ id: joinTokens.id })).length;
    },

    async recordRefusal(row, keep) {
      await db.insert(agentRefusals).values({ ...row, count: 1, firstAt: row.lastAt }).onConflictDoUpdate({
        target: [agentRefusals.node, agentRefusals.address, agentRefusals.code],
        set: { count: sql`${agentRefusals.count} + 1`, lastAt: row.lastAt, message: row.message },
      });
      const newest = db.select({ lastAt: agentRefusals.lastAt }).from(agentRefusals).orderBy(desc(agentRefusals.lastAt)).limit(1).offset(keep - 1);
      const cutoff = first(await newest)?.lastAt;
      if (cutoff !== undefined) {
        // Rows older than the keep-th newest go; ties at the cutoff stay (a bounded few).
        await db.delete(agentRefusals).where(lt(agentRefusals.lastAt, cutoff));
      }
    },
    async refusals(limit) {
      return db.select().from(agentRefusals).orderBy(desc(agentRefusals.lastAt)).limit(limit);
    },
  };
}
