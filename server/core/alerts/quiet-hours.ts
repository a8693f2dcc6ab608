/**
 * Quiet hours: a daily window (local time of a given IANA time zone, or the server's) in which
 * notifications wait. Pure given the clock.
 */
export interface QuietHours {
  /** "22:00" */
  from: string;
  /** "07:00"; before `from` means the window spans midnight. */
  to: string;
  /** IANA zone, e.g. "Europe/Berlin"; absent: the server's own. */
  timezone?: string;
}

export const CLOCK_PATTERN = /^([01]\d|2[0-3]):([0-5]\d)$/;

const minutesOf = (hhmm: string) => {
  const m = CLOCK_PATTERN.exec(hhmm);
  return m ? Number(m[1]) * 60 + Number(m[2]) : 0;
};

const formatters = new Map<string, Intl.DateTimeFormat>();

/** Minutes since local midnight in `timezone` (or the server's zone). */
export function localMinutes(now: number, timezone?: string): number {
  if (!timezone) {
    const d = new Date(now);
    return d.getHours() * 60 + d.getMinutes();
  }
  let f = formatters.get(timezone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-GB", { timeZone: timezone, hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
    formatters.set(timezone, f);
  }
  const parts = f.formatToParts(new Date(now));
  const get = (t: string) => Number(parts.find((p) => p.type === t)?.value ?? 0);
  return get("hour") * 60 + get("minute");
}

export function isValidTimezone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat("en-GB", { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

export function inQuietHours(q: QuietHours | null | undefined, now: number): boolean {
  if (!q) return false;
  const from = minutesOf(q.from);
  const to = minutesOf(q.to);
  if (from === to) return false;
  const t = localMinutes(now, q.timezone);
  return from < to ? t >= from && t < to : t >= from || t < to;
}
