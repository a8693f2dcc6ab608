/**
 * The alerts as the API sees them: what fires now and the history (read from the database, so
 * every server answers alike), rules and channels (config + dashboard), and a channel test.
 */
import type { AlertChannelView, AlertRuleView, AlertsSummary, ChannelTestResult, DeliveryView, FiringAlertView, OccurrenceView } from "../../../protocol/alerts";
import type { AlertDeliveryRow, AlertsRepo } from "../../db/repos/alerts-repo";
import { createLogger } from "../../../lib/logger";
import type { AlertCatalog, ChannelEntry } from "./catalog";
import { redactChannelSecrets } from "./channels/channel-url";
import type { Send } from "./channels/send";
import type { Subject } from "./engine";
import { ruleToConfig, type AlertRule } from "./rules";

const log = createLogger("alerts");

export interface AlertsService {
  summary(): Promise<AlertsSummary>;
  firing(): Promise<FiringAlertView[]>;
  history(limit: number, beforeId?: number): Promise<OccurrenceView[]>;
  rules(): AlertRuleView[];
  saveRule(body: unknown): Promise<AlertRuleView>;
  deleteRule(name: string): Promise<void>;
  channels(): AlertChannelView[];
  saveChannel(body: unknown): Promise<AlertChannelView>;
  deleteChannel(name: string): Promise<void>;
  testChannel(name: string): Promise<ChannelTestResult>;
  recentTests(): Promise<DeliveryView[]>;
}

const subjectOf = (text: string): Subject => {
  try {
    return JSON.parse(text) as Subject;
  } catch {
    return {};
  }
};

export const ruleView = (r: AlertRule): AlertRuleView => ({ ...ruleToConfig(r), source: r.source } as AlertRuleView);
export const channelView = (c: ChannelEntry): AlertChannelView => ({ name: c.name, kind: c.kind, source: c.source, url: c.masked, problem: c.problem });
const deliveryView = (d: AlertDeliveryRow): DeliveryView => ({ id: d.id, channel: d.channel, notice: d.notice, status: d.status as DeliveryView["status"], attempts: d.attempts, error: d.error, at: d.updatedAt });

export function createAlertsService(deps: { catalog: AlertCatalog; repo: AlertsRepo; send: Send; now?: () => number }): AlertsService {
  const { catalog, repo } = deps;
  const now = deps.now ?? Date.now;
  return {
    summary: async () => ({ firing: (await repo.firing()).length }),
    firing: async () => (await repo.firing()).map((f) => ({ rule: f.rule, kind: f.kind, key: f.key, subject: subjectOf(f.subject), message: f.message, firingSince: f.firingSince, notifiedAt: f.notifiedAt, occurrenceId: f.occurrenceId })),
    async history(limit, beforeId) {
      const rows = await repo.occurrences(limit, beforeId);
      const deliveries = await repo.deliveriesOf(rows.map((r) => r.id));
      return rows.map((r) => ({
        id: r.id, rule: r.rule, kind: r.kind, subject: subjectOf(r.subject), message: r.message, firedAt: r.firedAt, resolvedAt: r.resolvedAt,
        deliveries: deliveries.filter((d) => d.occurrenceId === r.id).map(deliveryView),
      }));
    },
    rules: () => catalog.rules().map(ruleView),
    saveRule: async (body) => ruleView(await catalog.saveRule(body)),
    deleteRule: (name) => catalog.deleteRule(name),
    channels: () => catalog.channels().map(channelView),
    saveChannel: async (body) => channelView(await catalog.saveChannel(body)),
    deleteChannel: (name) => catalog.deleteChannel(name),
    async testChannel(name) {
      const target = catalog.target(name);
      const at = now();
      const id = await repo.addDelivery(null, name, "test", at);
      let error: string | null = null;
      try {
        await deps.send(target, {
          rule: "test", ruleName: name, state: "firing", subject: {}, at, since: null, repeat: false, test: true,
          message: `A test from Switchyard: channel ${name} works. Alerts will arrive like this one.`,
        });
      } catch (err) {
        error = redactChannelSecrets((err as Error).message, catalog.channel(name)?.url ?? "").slice(0, 500);
        log.warn({ channel: name, error }, "channel test failed");
      }
      await repo.updateDelivery(id, { status: error ? "failed" : "sent", attempts: 1, error, at: now() });
      return { ok: error === null, error };
    },
    recentTests: async () => (await repo.recentTests(20)).map(deliveryView),
  };
}
