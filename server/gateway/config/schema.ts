/**
 * The gateway's part of the config file (SWITCHYARD_CONFIG): the contract's `apiKeys`, `backends`
 * and `routes`, plus optional fields of our own (a backend's `kind`, `health`, timeouts; a route's
 * equal-rank target groups; a `gateway` section). One schema is both the check and the type.
 */
import { z } from "zod";
import { EMPTY_ALERTS, alertsConfigSchema } from "../../core/alerts/config-schema";
import { targetEntrySchema } from "../../core/gateway/route-targets";

export const BACKEND_KINDS = ["llamacpp", "vllm", "sglang", "openai-compatible", "cloud"] as const;
export type BackendKind = (typeof BACKEND_KINDS)[number];

const name = z.string().trim().min(1, "must not be empty").regex(/^[^/\s]+$/, "must not contain '/' or spaces (targets are BACKEND/MODEL)");

export const apiKeyConfigSchema = z.strictObject({
  name,
  key: z.string().min(8, "must be at least 8 characters (is its ${VARIABLE} set?)"),
  /** Models this key may ask for; absent: every model. */
  models: z.array(z.string().min(1)).optional(),
});

const healthSchema = z.union([
  z.literal(false),
  z.strictObject({
    /** GET path answering 2xx when ready; default by kind (/health for engines, /v1/models for clouds). */
    path: z.string().startsWith("/").optional(),
    intervalS: z.number().positive().max(3600).optional(),
    timeoutMs: z.number().int().positive().max(60_000).optional(),
  }),
]);

export const backendConfigSchema = z.strictObject({
  name,
  url: z.url({ protocol: /^https?$/, error: "must be an http(s) URL without /v1, e.g. http://192.168.1.20:8000" }).transform((u) => u.replace(/\/+$/, "")),
  api: z.enum(["openai", "anthropic"], { error: "must be openai or anthropic" }),
  apiKey: z.string().optional(),
  /** How to check its health; guessed from api and url when absent. */
  kind: z.enum(BACKEND_KINDS).optional(),
  health: healthSchema.optional(),
  /**
   * Give up on an attempt that has sent nothing for this long, even while the backend's health
   * check passes. Off by default: a big prompt can take minutes before its first token.
   */
  firstByteTimeoutS: z.number().positive().max(3600).optional(),
  /** Most requests in flight to this backend at once (0: no limit). */
  maxConcurrent: z.number().int().min(0).optional(),
});

export const routeConfigSchema = z.strictObject({
  model: z.string().trim().min(1, "must not be empty"),
  targets: z.array(targetEntrySchema).min(1, "needs at least one BACKEND/MODEL target"),
});

export const gatewaySettingsSchema = z.strictObject({
  /** Keep request bodies in the request log (off: bodies are never logged). */
  logBodies: z.boolean().optional(),
  requestLogRetentionDays: z.number().positive().max(3650).optional(),
  /** Bearer token for GET /metrics besides the admin token. */
  metricsToken: z.string().min(8).optional(),
});

export const configFileSchema = z
  .strictObject({
    apiKeys: z.array(apiKeyConfigSchema).default([]),
    backends: z.array(backendConfigSchema).default([]),
    routes: z.array(routeConfigSchema).default([]),
    gateway: gatewaySettingsSchema.default({}),
    /** Alert channels and rules (server/core/alerts/config-schema.ts has this part of the file). */
    alerts: alertsConfigSchema.default(EMPTY_ALERTS),
  })
  .superRefine((cfg, ctx) => {
    const dupes = (items: Array<{ name?: string; model?: string }>, field: "name" | "model", list: string) => {
      const seen = new Set<string>();
      items.forEach((item, i) => {
        const v = item[field]!;
        if (seen.has(v)) ctx.addIssue({ code: "custom", path: [list, i, field], message: `'${v}' appears twice in ${list}` });
        seen.add(v);
      });
    };
    dupes(cfg.apiKeys, "name", "apiKeys");
    dupes(cfg.backends, "name", "backends");
    dupes(cfg.routes, "model", "routes");
    const keys = new Set<string>();
    cfg.apiKeys.forEach((k, i) => {
      if (keys.has(k.key)) ctx.addIssue({ code: "custom", path: ["apiKeys", i, "key"], message: "the same key is given twice" });
      keys.add(k.key);
    });
  });

export type ConfigFile = z.output<typeof configFileSchema>;
export type BackendConfig = z.output<typeof backendConfigSchema>;
export type RouteConfig = z.output<typeof routeConfigSchema>;
export type ApiKeyConfig = z.output<typeof apiKeyConfigSchema>;
export type GatewaySettings = z.output<typeof gatewaySettingsSchema>;

export const EMPTY_CONFIG: ConfigFile = { apiKeys: [], backends: [], routes: [], gateway: {}, alerts: EMPTY_ALERTS };
