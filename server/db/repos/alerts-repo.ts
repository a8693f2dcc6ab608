/**
 * Alert tables: dashboard rules and channels (URLs sealed), the shared firing state, the history of
 * occurrences and their deliveries. Claims are single conditional statements (RETURNING tells who
 * won), so they hold across servers on one database.
 */
import { and, desc, eq, inArray, isNotNull, isNull, lt, or } from "drizzle-orm";
import type { DbHandle } from "../client";
import type { alertChannels, alertDeliveries, alertOccurrences, alertRules } from "../schema";

export type AlertRuleRow = typeof alertRules.$inferSelect;
export type AlertChannelRow = typeof alertChannels.$inferSelect;
export type AlertOccurrenceRow = typeof alertOccurrences.$inferSelect;
export type AlertDeliveryRow = typeof alertDeliveries.$inferSelect;

export interface StoredFiring {
  rule: string;
  key: string;
  occurrenceId: number;
  firingSince: number;
  notifiedAt: number | null;
  kind: string;
  subject: string;
  message: string;
}

export interface NewOccurrence {
  rule: string;
  kind: string;
  key: string;
  subject: string;
  message: string;
  firedAt: number;
}

export interface DeliveryPatch {
  status: "pending" | "sent" | "failed";
  attempts: number;
  error: string | null;
  at: number;
}

export interface AlertsRepo {
  rules(): Promise<AlertRuleRow[]>;
  upsertRule(name: string, spec: string, at: number): Promise<void>;
  deleteRule(name: string): Promise<boolean>;
  channels(): Promise<AlertChannelRow[]>;
  upsertChannel(row: Omit<AlertChannelRow, "createdAt" | "updatedAt">, at: number): Promise<void>;
  deleteChannel(name: string): Promise<boolean>;
  firing(): Promise<StoredFiring[]>;
  /** Opens an occurrence and claims its firing state; null when another server already holds it (its row is returned instead). */
  openOccurrence(o: NewOccurrence): Promise<{ occurrenceId: number } | { taken: StoredFiring | null }>;
  /** Marks the firing notified at `at` if nobody else did since `prev`; true when this call won. */
  claimNotify(rule: string, key: string, occurrenceId: number, prev: number | null, at: number): Promise<boolean>;
  /** Ends an occurrence: its state goes (true when this call removed it) and its history is resolved. */
  closeOccurrence(rule: string, key: string, occurrenceId: number, resolvedAt: number): Promise<boolean>;
  /** State rows of rules that no longer exist: their occurrences close without a notice. */
  closeRulesOtherThan(rules: string[], at: number): Promise<void>;
  addDelivery(occurrenceId: number | null, channel: string, notice: string, at: number): Promise<number>;
  updateDelivery(id: number, patch: DeliveryPatch): Promise<void>;
  occurrences(limit: number, beforeId?: number): Promise<AlertOccurrenceRow[]>;
  deliveriesOf(occurrenceIds: number[]): Promise<AlertDeliveryRow[]>;
  recentTests(limit: number): Promise<AlertDeliveryRow[]>;
  prune(beforeTs: number): Promise<void>;
}

export function alertsRepo(handle: DbHandle): AlertsRepo {
  const { db } = handle;
  const { alertChannels, alertDeliveries, alertOccurrences, alertRules, alertState } = handle.schema;
  const firingQuery = () => db
    .select({
      rule: alertState.rule, key: alertState.key, occurrenceId: alertState.occurrenceId, firingSince: alertState.firingSince, notifiedAt: alertState.notifiedAt,
      kind: alertOccurrences.kind, subject: alertOccurrences.subject, message: alertOccurrences.message,
    })
    .from(alertState)
    .innerJoin(alertOccurrences, eq(alertOccurrences.id, alertState.occurrenceId));

  return {
    rules: async () => await db.select().from(alertRules).orderBy(alertRules.name),
    async upsertRule(name, spec, at) {
      await db.insert(alertRules).values({ name, spec, createdAt: at, updatedAt: at }).onConflictDoUpdate({ target: alertRules.name, set: { spec, updatedAt: at } });
    },
    async deleteRule(name) {
      return (await db.delete(alertRules).where(eq(alertRules.name, name)).returning({ name: alertRules.name })).length > 0;
    },
    channels: async () => await db.select().from(alertChannels).orderBy(alertChannels.name),
    async upsertChannel(row, at) {
      await db.insert(alertChannels).values({ ...row, createdAt: at, updatedAt: at })
        .onConflictDoUpdate({ target: alertChannels.name, set: { kind: row.kind, urlSealed: row.urlSealed, urlMasked: row.urlMasked, updatedAt: at } });
    },
    async deleteChannel(name) {
      return (await db.delete(alertChannels).where(eq(alertChannels.name, name)).returning({ name: alertChannels.name })).length > 0;
    },

    firing: async () => await firingQuery().orderBy(alertState.firingSince),

    async openOccurrence(o) {
      const existing = (await firingQuery().where(and(eq(alertState.rule, o.rule), eq(alertState.key, o.key))).limit(1))[0];
      if (existing) return { taken: existing };
      const [occ] = await db.insert(alertOccurrences).values(o).returning({ id: alertOccurrences.id });
      const claimed = await db.insert(alertState).values({ rule: o.rule, key: o.key, occurrenceId: occ!.id, firingSince: o.firedAt, notifiedAt: null })
        .onConflictDoNothing().returning({ rule: alertState.rule });
      if (claimed.length > 0) return { occurrenceId: occ!.id };
      // Another server opened it between our read and write: ours never happened.
      await db.delete(alertOccurrences).where(eq(alertOccurrences.id, occ!.id));
      return { taken: (await firingQuery().where(and(eq(alertState.rule, o.rule), eq(alertState.key, o.key))).limit(1))[0] ?? null };
    },

    async claimNotify(rule, key, occurrenceId, prev, at) {
      const since = prev === null ? isNull(alertState.notifiedAt) : or(isNull(alertState.notifiedAt), eq(alertState.notifiedAt, prev));
      const won = await db.update(alertState).set({ notifiedAt: at })
        .where(and(eq(alertState.rule, rule), eq(alertState.key, key), eq(alertState.occurrenceId, occurrenceId), since))
        .returning({ rule: alertState.rule });
      return won.length > 0;
    },

    async closeOccurrence(rule, key, occurrenceId, resolvedAt) {
      const gone = await db.delete(alertState).where(and(eq(alertState.rule, rule), eq(alertState.key, key), eq(alertState.occurrenceId, occurrenceId))).returning({ rule: alertState.rule });
      await db.update(alertOccurrences).set({ resolvedAt }).where(and(eq(alertOccurrences.id, occurrenceId), isNull(alertOccurrences.resolvedAt)));
      return gone.length > 0;
    },

    async closeRulesOtherThan(rules, at) {
      const stale = await db.select({ rule: alertState.rule, key: alertState.key, occurrenceId: alertState.occurrenceId }).from(alertState);
      for (const s of stale) if (!rules.includes(s.rule)) await this.closeOccurrence(s.rule, s.key, s.occurrenceId, at);
    },

    async addDelivery(occurrenceId, channel, notice, at) {
      const [row] = await db.insert(alertDeliveries).values({ occurrenceId, channel, notice, status: "pending", attempts: 0, error: null, createdAt: at, updatedAt: at }).returning({ id: alertDeliveries.id });
      return row!.id;
    },
    async updateDelivery(id, p) {
      await db.update(alertDeliveries).set({ status: p.status, attempts: p.attempts, error: p.error, updatedAt: p.at }).where(eq(alertDeliveries.id, id));
    },

    async occurrences(limit, beforeId) {
      const q = db.select().from(alertOccurrences);
      return await (beforeId === undefined ? q : q.where(lt(alertOccurrences.id, beforeId))).orderBy(desc(alertOccurrences.id)).limit(limit);
    },
    async deliveriesOf(ids) {
      if (ids.length === 0) return [];
      return await db.select().from(alertDeliveries).where(inArray(alertDeliveries.occurrenceId, ids)).orderBy(alertDeliveries.id);
    },
    async recentTests(limit) {
      return await db.select().from(alertDeliveries).where(eq(alertDeliveries.notice, "test")).orderBy(desc(alertDeliveries.id)).limit(limit);
    },
    async prune(beforeTs) {
      await db.delete(alertDeliveries).where(lt(alertDeliveries.createdAt, beforeTs));
      await db.delete(alertOccurrences).where(and(isNotNull(alertOccurrences.resolvedAt), lt(alertOccurrences.firedAt, beforeTs)));
    },
  };
}
