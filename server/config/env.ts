/**
 * Server settings from the environment, validated once at start. A bad value stops the server with
 * a message naming the variable, before anything is opened or written.
 */
import path from "node:path";
import { z } from "zod";
import { SECRET_KEY_FORMAT, secretKeyFromText } from "../core/secret-box";

const portSchema = z.coerce.number().int().min(0).max(65535);

export const envSchema = z.object({
  PORT: portSchema.default(3000),
  HOST: z.string().min(1).default("0.0.0.0"),
  SWITCHYARD_DATA: z.string().min(1).default("./data"),
  SWITCHYARD_CONFIG: z.string().min(1).optional(),
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
  /** The key that seals stored secrets; unset: a key file generated in SWITCHYARD_DATA. */
  SWITCHYARD_SECRET_KEY: z.string().optional()
    .refine((v) => v === undefined || secretKeyFromText(v) !== null, SECRET_KEY_FORMAT),
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
