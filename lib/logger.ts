/**
 * The one logger. Structured JSON lines (pino), one child per module; human-readable lines
 * instead when stderr is a terminal (lib/log-format.ts). Secrets never go in a log line: the
 * redact list below is a second line of defence, not the first.
 */
import { Writable } from "node:stream";
import pino from "pino";
import { formatLogLine, wantsPretty } from "./log-format";

const fd = process.env.SWITCHYARD_LOG_FD === "1" ? 1 : 2;
const json = pino.destination({ fd, sync: false });
const pretty = wantsPretty(process.env, (fd === 1 ? process.stdout : process.stderr).isTTY === true);

/** Reformats each JSON line pino writes and hands it to the same (asynchronous) destination. */
function prettyStream(): Writable {
  return new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString("utf8").split("\n")) if (line) json.write(`${formatLogLine(line, true)}\n`);
      done();
    },
  });
}

const root = pino({
  level: process.env.LOG_LEVEL ?? "info",
  base: undefined,
  redact: {
    paths: ["token", "apiKey", "authorization", "*.token", "*.apiKey", "*.authorization", "headers.authorization", "headers['x-api-key']", "hfToken", "*.hfToken", "secrets", "*.secrets"],
    censor: "[redacted]",
  },
}, pretty ? prettyStream() : json);

export type Logger = pino.Logger;

/** Writes out buffered log lines; call before process.exit so the last lines are not lost. */
export function flushLogs(): Promise<void> {
  return new Promise((resolve) => json.flush(() => resolve()));
}

export function createLogger(module: string): Logger {
  return root.child({ module });
}
