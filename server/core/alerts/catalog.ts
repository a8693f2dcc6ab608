/**
 * Rules and channels: the config file's (read-only here) and the dashboard's (in the database,
 * channel URLs sealed with the SecretBox). Held in memory for the engine; reloaded from the
 * database on a schedule so that every server sees changes made on another.
 */
import type { AlertsRepo } from "../../db/repos/alerts-repo";
import { createLogger } from "../../../lib/logger";
import { ServiceError } from "../errors";
import type { SecretBox } from "../secret-box";
import { channelConfigSchema, ruleConfigSchema, type AlertsConfig, type RuleConfig } from "./config-schema";
import { DEFAULT_BASES, maskChannelUrl, parseChannelUrl, type ChannelKind, type ChannelTarget, type ServiceBases } from "./channels/channel-url";
import { nameConfigRules, normalizeRule, type AlertRule } from "./rules";

const log = createLogger("alerts");

export interface ChannelEntry {
  name: string;
  kind: ChannelKind;
  source: "config" | "ui";
  /** The URL with its secrets cut: what the API and dashboard show. */
  masked: string;
  /** Null when the stored value cannot be opened (sealed with another key). */
  url: string | null;
  problem: string | null;
}

/**
 * Rules and channels the dashboard may add, each (as many as the config file may hold): the engine
 * walks every rule on each evaluation, and each reload opens every channel.
 */
export const MAX_DASHBOARD_ENTRIES = 100;

const ruleBodySchema = ruleConfigSchema.refine((r) => r.name !== undefined, { path: ["name"], message: "name is required" });

export class AlertCatalog {
  private readonly configRules: AlertRule[];
  private readonly configChannels: ChannelEntry[];
  private uiRules: AlertRule[] = [];
  private uiChannels: ChannelEntry[] = [];

  constructor(private readonly repo: AlertsRepo, private readonly box: SecretBox, config: AlertsConfig, private readonly bases: ServiceBases = DEFAULT_BASES, private readonly now: () => number = Date.now) {
    this.configRules = nameConfigRules(config.rules);
    this.configChannels = config.channels.map((c) => ({ name: c.name, kind: parseChannelUrl(c.url, bases).kind, source: "config", masked: maskChannelUrl(c.url), url: c.url, problem: null }));
  }

  async reload(): Promise<void> {
    const rules: AlertRule[] = [];
    for (const row of await this.repo.rules()) {
      if (this.configRules.some((r) => r.name === row.name)) continue;
      const parsed = ruleConfigSchema.safeParse(safeJson(row.spec));
      if (parsed.success) rules.push(normalizeRule(parsed.data, row.name, "ui"));
      else log.warn({ rule: row.name }, "a stored alert rule no longer validates: skipped");
    }
    const channels: ChannelEntry[] = [];
    for (const row of await this.repo.channels()) {
      if (this.configChannels.some((c) => c.name === row.name)) continue;
      let url: string | null = null;
      let problem: string | null = null;
      try {
        url = this.box.open(row.urlSealed);
      } catch {
        problem = "its stored URL cannot be opened (sealed with another SWITCHYARD_SECRET_KEY?): enter the URL again";
      }
      channels.push({ name: row.name, kind: row.kind as ChannelKind, source: "ui", masked: row.urlMasked, url, problem });
    }
    this.uiRules = rules;
    this.uiChannels = channels;
  }

  rules(): AlertRule[] {
    return [...this.configRules, ...this.uiRules];
  }

  channels(): ChannelEntry[] {
    return [...this.configChannels, ...this.uiChannels];
  }

  channel(name: string): ChannelEntry | null {
    return this.channels().find((c) => c.name === name) ?? null;
  }

  /** Where a channel sends; throws a ServiceError a person can act on. */
  target(name: string): ChannelTarget {
    const c = this.channel(name);
    if (!c) throw new ServiceError("not_found", `no alert channel named '${name}'`);
    if (!c.url) throw new ServiceError("conflict", `channel ${name}: ${c.problem}`);
    return parseChannelUrl(c.url, this.bases);
  }

  async saveRule(body: unknown): Promise<AlertRule> {
    const spec = ruleBodySchema.parse(body) as RuleConfig & { name: string };
    if (this.configRules.some((r) => r.name === spec.name)) throw new ServiceError("conflict", `the rule ${spec.name} comes from the config file: change it there`);
    const missing = spec.notify.filter((n) => !this.channel(n));
    if (missing.length) throw new ServiceError("bad_request", `no channel named ${missing.join(", ")}: add it first`);
    refuseOverLimit("rules", this.uiRules, spec.name);
    await this.repo.upsertRule(spec.name, JSON.stringify(body), this.now());
    await this.reload();
    return normalizeRule(spec, spec.name, "ui");
  }

  async deleteRule(name: string): Promise<void> {
    if (this.configRules.some((r) => r.name === name)) throw new ServiceError("conflict", `the rule ${name} comes from the config file: remove it there`);
    if (!(await this.repo.deleteRule(name))) throw new ServiceError("not_found", `no alert rule named '${name}'`);
    await this.reload();
  }

  async saveChannel(body: unknown): Promise<ChannelEntry> {
    const { name, url } = channelConfigSchema.parse(body);
    if (this.configChannels.some((c) => c.name === name)) throw new ServiceError("conflict", `the channel ${name} comes from the config file: change it there`);
    refuseOverLimit("channels", this.uiChannels, name);
    const kind = parseChannelUrl(url, this.bases).kind;
    await this.repo.upsertChannel({ name, kind, urlSealed: this.box.seal(url), urlMasked: maskChannelUrl(url) }, this.now());
    await this.reload();
    return this.channel(name)!;
  }

  async deleteChannel(name: string): Promise<void> {
    if (this.configChannels.some((c) => c.name === name)) throw new ServiceError("conflict", `the channel ${name} comes from the config file: remove it there`);
    const users = this.rules().filter((r) => r.notify.includes(name)).map((r) => r.name);
    if (users.length) throw new ServiceError("conflict", `rules ${users.join(", ")} notify ${name}: change them first`);
    if (!(await this.repo.deleteChannel(name))) throw new ServiceError("not_found", `no alert channel named '${name}'`);
    await this.reload();
  }
}

/** A new entry past the limit is refused; one replacing an entry of the same name is not. */
function refuseOverLimit(what: "rules" | "channels", entries: ReadonlyArray<{ name: string }>, name: string): void {
  if (entries.length < MAX_DASHBOARD_ENTRIES || entries.some((e) => e.name === name)) return;
  throw new ServiceError("conflict", `the dashboard holds ${MAX_DASHBOARD_ENTRIES} alert ${what} already: delete some first (or put them in the config file)`);
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
