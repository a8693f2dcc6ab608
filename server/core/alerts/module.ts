/**
 * Alerts, wired: the catalog (rules, channels), the runner on its 1 s tick, the delivery queue and
 * the API's service. The composition root hands in the database repo, the SecretBox, the config
 * file's `alerts:` section, the sources and who leads.
 */
import { createLogger } from "../../../lib/logger";
import type { AlertsRepo } from "../../db/repos/alerts-repo";
import type { SecretBox } from "../secret-box";
import { AlertCatalog } from "./catalog";
import { DEFAULT_BASES, redactChannelSecrets, type ServiceBases } from "./channels/channel-url";
import { DeliveryError, sendNotice, type Send } from "./channels/send";
import type { AlertsConfig } from "./config-schema";
import { DeliveryQueue } from "./delivery-queue";
import { AlertRunner } from "./runner";
import { createAlertsService, type AlertsService } from "./service";
import { createInputs, type AlertSources } from "./sources";

const log = createLogger("alerts");
const HISTORY_DAYS = 30;

export interface AlertsDeps {
  repo: AlertsRepo;
  secretBox: SecretBox;
  config: AlertsConfig;
  sources: AlertSources;
  /** Several servers on one database: only the leader evaluates and notifies. Default: always (one server). */
  isLeader?: () => boolean;
  /** Where discord:// and slack:// go (tests: a local sink). */
  bases?: ServiceBases;
  send?: Send;
  now?: () => number;
  tickMs?: number;
  retryBaseMs?: number;
}

export interface Alerts {
  service: AlertsService;
  /** One evaluation now (tests; the timer does this every second). */
  tick(): Promise<void>;
  /** Resolves once queued deliveries are done (sent, or given up), or after `timeoutMs`. */
  delivered(timeoutMs?: number): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
}

export async function createAlerts(deps: AlertsDeps): Promise<Alerts> {
  const now = deps.now ?? Date.now;
  const send = deps.send ?? sendNotice;
  const catalog = new AlertCatalog(deps.repo, deps.secretBox, deps.config, deps.bases ?? DEFAULT_BASES, now);
  await catalog.reload();
  const queue = new DeliveryQueue({
    now, retryBaseMs: deps.retryBaseMs,
    async send(channel, notice) {
      const target = catalog.target(channel);
      try {
        await send(target, notice);
      } catch (err) {
        const url = catalog.channel(channel)?.url ?? "";
        throw new DeliveryError(redactChannelSecrets((err as Error).message, url), (err as DeliveryError).retryAfterMs ?? null);
      }
    },
    record: (id, patch) => deps.repo.updateDelivery(id, patch),
  });
  const inputs = createInputs(deps.sources);
  const isLeader = deps.isLeader ?? (() => true);
  const runner = new AlertRunner({ catalog, repo: deps.repo, queue, inputs: inputs.inputs, isLeader, now });
  const service = createAlertsService({ catalog, repo: deps.repo, send, now });
  const timers: NodeJS.Timeout[] = [];
  const every = (ms: number, fn: () => Promise<unknown>) => {
    const t = setInterval(() => void fn().catch((err: unknown) => log.error({ err }, "alerts housekeeping failed")), ms);
    t.unref();
    timers.push(t);
  };

  return {
    service,
    tick: () => runner.tick(),
    delivered: (timeoutMs = 5000) => queue.drain(timeoutMs),
    async start() {
      queue.start();
      every(deps.tickMs ?? 1000, () => runner.tick());
      every(5000, () => catalog.reload());
      every(3_600_000, async () => (isLeader() ? deps.repo.prune(now() - HISTORY_DAYS * 86_400_000) : undefined));
      log.info({ rules: catalog.rules().length, channels: catalog.channels().length }, "alerts running");
    },
    async stop() {
      for (const t of timers) clearInterval(t);
      timers.length = 0;
      inputs.close();
      await runner.settled();
      await queue.drain(3000);
      queue.stop();
    },
  };
}
