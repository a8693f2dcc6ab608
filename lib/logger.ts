/**
 * The one logger. Structured JSON lines (pino), one child per module. Secrets never go in a log
 * line: the redact list below is a second line of defence, not the first.
 */
import pino from "pino";

const root = pino({
  level: process.env.LOG_LEVEL ?? "info",
  base: undefined,
  redact: {
    paths: ["token", "apiKey", "authorization", "*.token", "*.apiKey", "*.authorization", "headers.authorization", "headers['x-api-key']", "hfToken", "*.hfToken", "secrets", "*.secrets"],
    censor: "[redacted]",
  },
}, pino.destination({ fd: process.env.SWITCHYARD_LOG_FD === "1" ? 1 : 2, sync: false }));

export type Logger = pino.Logger;

/** Writes out buffered log lines; call before process.exit so the last lines are not lost. */
export function flushLogs(): Promise<void> {
  return new Promise((resolve) => root.flush(() => resolve()));
}

export function createLogger(module: string): Logger {
  return root.child({ module });
}
