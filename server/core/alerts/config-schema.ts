/**
 * The `alerts:` section of SWITCHYARD_CONFIG, and the same shapes as the dashboard sends them
 * (POST /api/alerts/rules, /channels). One schema is both the check and the type; every list and
 * string is bounded.
 */
import { z } from "zod";
import { ChannelUrlError, MAX_CHANNEL_URL, parseChannelUrl } from "./channels/channel-url";
import { DURATION_PATTERN, parseDuration } from "../../../protocol/duration";
import { CLOCK_PATTERN, isValidTimezone } from "./quiet-hours";
import { KIND_FACTS, RULE_KINDS } from "./rule-kinds";

const MAX_LIST = 100;
const DAY_MS = 86_400_000;

export const alertNameSchema = z.string().trim().min(1, "must not be empty").max(64).regex(/^[A-Za-z0-9][\w.-]*$/, "use letters, digits, _ . - (starting with a letter or digit)");

const pattern = z.string().trim().min(1).max(200);

/** "30s", "5m", "1h30m", or a number of seconds. */
export const durationSchema = z
  .union([z.string().trim().max(32).regex(DURATION_PATTERN, "must be a duration like 30s, 5m, 1h or 2d"), z.number().nonnegative()])
  .transform((v, ctx) => {
    const ms = parseDuration(v);
    if (ms === null || ms > 30 * DAY_MS) {
      ctx.addIssue({ code: "custom", message: "must be a duration of at most 30d (e.g. 30s, 5m, 1h)" });
      return z.NEVER;
    }
    return ms;
  });

export const quietHoursSchema = z.strictObject({
  from: z.string().regex(CLOCK_PATTERN, "must be HH:MM (24 h), e.g. 22:00"),
  to: z.string().regex(CLOCK_PATTERN, "must be HH:MM (24 h), e.g. 07:00"),
  timezone: z.string().max(64).refine(isValidTimezone, "is not a time zone (e.g. Europe/Berlin, America/New_York)").optional(),
});

export const channelConfigSchema = z.strictObject({
  name: alertNameSchema,
  url: z.string().trim().min(1, "must not be empty (is its ${VARIABLE} set?)").max(MAX_CHANNEL_URL).superRefine((url, ctx) => {
    try {
      parseChannelUrl(url);
    } catch (err) {
      if (!(err instanceof ChannelUrlError)) throw err;
      ctx.addIssue({ code: "custom", message: err.message });
    }
  }),
});

export const ruleConfigSchema = z
  .strictObject({
    /** Defaults to the kind (`gpu-temperature`, then `gpu-temperature-2`, …). */
    name: alertNameSchema.optional(),
    when: z.enum(RULE_KINDS, { error: `must be one of ${RULE_KINDS.join(", ")}` }),
    /** °C for gpu-temperature; percent used for gpu-memory and disk-usage. */
    above: z.number().finite().optional(),
    for: durationSchema.optional(),
    /** Re-notify while it keeps firing, every this long; absent: once. */
    repeat: durationSchema.optional(),
    notify: z.array(alertNameSchema).min(1, "needs at least one channel").max(20),
    /** Send a notice when the condition clears (default true). */
    resolved: z.boolean().optional(),
    quietHours: quietHoursSchema.optional(),
    nodes: z.array(pattern).max(MAX_LIST).optional(),
    gpus: z.array(z.number().int().min(0).max(63)).max(64).optional(),
    routes: z.array(pattern).max(MAX_LIST).optional(),
    backends: z.array(pattern).max(MAX_LIST).optional(),
    deployments: z.array(pattern).max(MAX_LIST).optional(),
    /** deployment-failed: restarts within `window` that count as a restart loop (default 3 in 10m). */
    restarts: z.number().int().min(1).max(1000).optional(),
    window: durationSchema.optional(),
  })
  .superRefine((r, ctx) => {
    const facts = KIND_FACTS[r.when];
    if (r.above !== undefined) {
      if (!facts.threshold) ctx.addIssue({ code: "custom", path: ["above"], message: `${r.when} has no threshold: leave 'above' out` });
      else if (r.above < 0 || r.above > facts.threshold.max) ctx.addIssue({ code: "custom", path: ["above"], message: `must be between 0 and ${facts.threshold.max} ${facts.threshold.unit}` });
    }
    for (const scope of ["nodes", "gpus", "routes", "backends", "deployments"] as const) {
      if (r[scope] !== undefined && !facts.scopes.includes(scope)) {
        ctx.addIssue({ code: "custom", path: [scope], message: `${r.when} cannot be scoped by ${scope}${facts.scopes.length ? ` (it takes ${facts.scopes.join(", ")})` : ""}` });
      }
    }
    if ((r.restarts !== undefined || r.window !== undefined) && r.when !== "deployment-failed") {
      ctx.addIssue({ code: "custom", path: [r.restarts !== undefined ? "restarts" : "window"], message: "restarts/window are for deployment-failed only" });
    }
    if (r.repeat !== undefined && r.repeat < 60_000) ctx.addIssue({ code: "custom", path: ["repeat"], message: "must be at least 1m (or left out to notify once)" });
  });

export const alertsConfigSchema = z
  .strictObject({
    channels: z.array(channelConfigSchema).max(MAX_LIST).default([]),
    rules: z.array(ruleConfigSchema).max(MAX_LIST).default([]),
  })
  .superRefine((cfg, ctx) => {
    const channels = new Set<string>();
    cfg.channels.forEach((c, i) => {
      if (channels.has(c.name)) ctx.addIssue({ code: "custom", path: ["channels", i, "name"], message: `'${c.name}' appears twice in alerts.channels` });
      channels.add(c.name);
    });
    const names = new Set<string>();
    cfg.rules.forEach((r, i) => {
      if (r.name !== undefined) {
        if (names.has(r.name)) ctx.addIssue({ code: "custom", path: ["rules", i, "name"], message: `'${r.name}' appears twice in alerts.rules` });
        names.add(r.name);
      }
      r.notify.forEach((n, j) => {
        if (!channels.has(n)) ctx.addIssue({ code: "custom", path: ["rules", i, "notify", j], message: `no channel named '${n}' in alerts.channels` });
      });
    });
  });

export type AlertsConfig = z.output<typeof alertsConfigSchema>;
export type RuleConfig = z.output<typeof ruleConfigSchema>;
export type ChannelConfig = z.output<typeof channelConfigSchema>;

export const EMPTY_ALERTS: AlertsConfig = { channels: [], rules: [] };
