/**
 * Human-readable log lines for a terminal: `12:00:01 WARN  gateway: message key=value`. Pure (one
 * pino JSON line in, one text line out) so the logger can pick it when stderr is a TTY; files,
 * pipes and journald keep the JSON lines (LOG_FORMAT=json|pretty overrides the choice).
 */
const LEVELS: Record<number, string> = { 10: "TRACE", 20: "DEBUG", 30: "INFO", 40: "WARN", 50: "ERROR", 60: "FATAL" };
const COLORS: Record<number, string> = { 10: "90", 20: "90", 30: "32", 40: "33", 50: "31", 60: "35" };
const OMIT = new Set(["level", "time", "msg", "module", "pid", "hostname"]);

function valueText(v: unknown): string {
  if (typeof v === "string") return /^[^\s"=]{1,200}$/.test(v) ? v : JSON.stringify(v);
  if (v && typeof v === "object" && "message" in v && "type" in v) {
    // A serialized error: its message, and the stack's first frame for where.
    const e = v as { message: unknown; stack?: unknown };
    const where = typeof e.stack === "string" ? e.stack.split("\n")[1]?.trim() : undefined;
    return JSON.stringify(where ? `${String(e.message)} (${where})` : String(e.message));
  }
  return JSON.stringify(v);
}

export function formatLogLine(line: string, color = false): string {
  let rec: Record<string, unknown>;
  try {
    rec = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return line;
  }
  if (typeof rec !== "object" || rec === null) return line;
  const level = typeof rec.level === "number" ? rec.level : 30;
  const time = typeof rec.time === "number" ? new Date(rec.time).toISOString().slice(11, 19) : "--:--:--";
  const label = (LEVELS[level] ?? String(level)).padEnd(5);
  const paint = (code: string | undefined, s: string) => (color && code ? `\x1b[${code}m${s}\x1b[0m` : s);
  const mod = typeof rec.module === "string" ? `${rec.module}: ` : "";
  const fields = Object.entries(rec).filter(([k]) => !OMIT.has(k)).map(([k, v]) => `${k}=${valueText(v)}`);
  const msg = typeof rec.msg === "string" ? rec.msg : "";
  return `${paint("90", time)} ${paint(COLORS[level], label)} ${mod}${msg}${fields.length ? ` ${paint("90", fields.join(" "))}` : ""}`;
}

/** Whether to write human lines: LOG_FORMAT wins, else a TTY gets them. */
export function wantsPretty(env: NodeJS.ProcessEnv, isTTY: boolean): boolean {
  if (env.LOG_FORMAT === "json") return false;
  if (env.LOG_FORMAT === "pretty") return true;
  return isTTY;
}
