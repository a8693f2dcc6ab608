/**
 * Server settings from the environment, validated once at start. A bad value stops the server with
 * a message naming the variable, before anything is opened or written.
 */
import { isIP } from "node:net";
import path from "node:path";
import { z } from "zod";
import { SECRET_KEY_FORMAT, secretKeyFromText } from "../core/secret-box";

const portSchema = z.coerce.number().int().min(0).max(65535);

const DATABASE_URL_HINT = "must look like postgres://USER:PASSWORD@HOST:PORT/DB";
export const databaseUrlSchema = z.string().max(2048, "is longer than 2048 characters").superRefine((value, ctx) => {
  if (/[\u0000-\u001f\u007f]/.test(value)) {
    ctx.addIssue({ code: "custom", message: "holds control characters (a stray newline or quote in the file that sets it?)" });
    return;
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    ctx.addIssue({ code: "custom", message: `is not a URL: it ${DATABASE_URL_HINT}` });
    return;
  }
  if (url.protocol !== "postgres:" && url.protocol !== "postgresql:") {
    ctx.addIssue({ code: "custom", message: `has the scheme ${url.protocol.slice(0, 20)} but ${DATABASE_URL_HINT}` });
  } else if (!url.hostname && !url.searchParams.get("host")) {
    ctx.addIssue({ code: "custom", message: `names no host: it ${DATABASE_URL_HINT}` });
  } else if (url.pathname.length <= 1) {
    ctx.addIssue({ code: "custom", message: `names no database: it ${DATABASE_URL_HINT}` });
  }
});

export const envSchema = z.object({
  PORT: portSchema.default(3000),
  HOST: z.string().min(1).default("0.0.0.0"),
  SWITCHYARD_DATA: z.string().min(1).default("./data"),
  SWITCHYARD_CONFIG: z.string().min(1).optional(),
  /** postgres://USER:PASSWORD@HOST:PORT/DB puts the state in PostgreSQL; unset or empty: SQLite in SWITCHYARD_DATA. */
  SWITCHYARD_DATABASE_URL: z.preprocess((v) => (v === "" ? undefined : v), databaseUrlSchema.optional()),
  SWITCHYARD_ADMIN_TOKEN: z.string().min(8, "must be at least 8 characters").optional(),
  SWITCHYARD_AGENT_TOKEN: z.string().min(8, "must be at least 8 characters").optional(),
  SWITCHYARD_NVIDIA_SMI: z.string().min(1).optional(),
  /** Set to 0 to not start the agent for this machine (tests start their own). */
  SWITCHYARD_LOCAL_AGENT: z.enum(["0", "1"]).default("1"),
  /** Seconds a node may stay silent before it is shown offline. */
  SWITCHYARD_OFFLINE_AFTER_S: z.coerce.number().positive().max(3600).default(5),
  /** Where the fit estimator asks the Hugging Face Hub for model configs (a mirror, or a test's stand-in). */
  SWITCHYARD_HF_ENDPOINT: z.string().url().default("https://huggingface.co"),
  /** Bearer token for GET /metrics besides the admin token (Prometheus scrapers). */
  SWITCHYARD_METRICS_TOKEN: z.string().min(8, "must be at least 8 characters").optional(),
  /** Set to 1 to keep gateway request bodies in the request log (off: bodies are never stored). */
  SWITCHYARD_GATEWAY_LOG_BODIES: z.enum(["0", "1"]).optional(),
  /** HTTPS: `self-signed` makes a certificate on first start and keeps it in the data directory. */
  SWITCHYARD_TLS: z.enum(["self-signed", "off"], { error: "must be 'self-signed' (or 'off'; for your own certificate set SWITCHYARD_TLS_CERT and SWITCHYARD_TLS_KEY)" }).optional(),
  /** HTTPS with your own certificate: PEM files (the certificate may carry its chain). */
  SWITCHYARD_TLS_CERT: z.string().min(1).optional(),
  SWITCHYARD_TLS_KEY: z.string().min(1).optional(),
  /** Tests only: where discord:// and slack:// channels send instead of discord.com / hooks.slack.com (a local sink). */
  SWITCHYARD_ALERTS_TEST_DISCORD_URL: z.string().url().optional(),
  SWITCHYARD_ALERTS_TEST_SLACK_URL: z.string().url().optional(),
  /**
   * Reverse proxies / load balancers in front of the server (several servers behind nginx): their
   * X-Forwarded-For is believed for agents' and clients' addresses. Comma-separated IP addresses.
   */
  SWITCHYARD_TRUSTED_PROXIES: z.string().max(2048).optional().transform((v, ctx) => {
    const list = (v ?? "").split(",").map((s) => s.trim()).filter(Boolean);
    const bad = list.filter((a) => !isIP(a));
    if (bad.length > 0) ctx.addIssue({ code: "custom", message: `must be comma-separated IP addresses (not ${bad[0]!.slice(0, 60)})` });
    if (list.length > 32) ctx.addIssue({ code: "custom", message: "names more than 32 proxies" });
    return list;
  }),
  /** Tests only: how often telemetry history is written (default 2000 ms; a longer wait shows what a killed server had not written). */
  SWITCHYARD_HISTORY_FLUSH_TEST_MS: z.coerce.number().int().min(100).max(60_000).optional(),
  /** Tests only: first retry of a failed alert delivery after this many ms (default 5000). */
  SWITCHYARD_ALERTS_TEST_RETRY_MS: z.coerce.number().int().min(10).max(60_000).optional(),
  /** The key that seals stored secrets; unset: a key file generated in SWITCHYARD_DATA. */
  SWITCHYARD_SECRET_KEY: z.string().optional()
    .refine((v) => v === undefined || secretKeyFromText(v) !== null, SECRET_KEY_FORMAT),
}).superRefine((env, ctx) => {
  if (!env.SWITCHYARD_TLS_CERT !== !env.SWITCHYARD_TLS_KEY) {
    ctx.addIssue({ code: "custom", path: [env.SWITCHYARD_TLS_CERT ? "SWITCHYARD_TLS_KEY" : "SWITCHYARD_TLS_CERT"], message: "SWITCHYARD_TLS_CERT and SWITCHYARD_TLS_KEY go together: set both (PEM files) or neither" });
  }
  if (env.SWITCHYARD_TLS_CERT && env.SWITCHYARD_TLS) {
    ctx.addIssue({ code: "custom", path: ["SWITCHYARD_TLS"], message: "set either SWITCHYARD_TLS or SWITCHYARD_TLS_CERT/SWITCHYARD_TLS_KEY, not both" });
  }
});

export type ServerEnv = z.infer<typeof envSchema> & { dataDir: string };

export class ConfigError extends Error {}

export function loadEnv(source: NodeJS.ProcessEnv = process.env): ServerEnv {
  const parsed = envSchema.safeParse(source);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`);
    throw new ConfigError(`Invalid environment:\n${lines.join("\n")}`);
  }
  return { ...parsed.data, dataDir: path.resolve(parsed.data.SWITCHYARD_DATA) };
}
