/**
 * How requests carry credentials, read at the HTTP edge: the admin token as `Authorization: Bearer`,
 * the dashboard's session as a cookie, and the Origin a browser names. The core only ever sees the
 * values (core/auth.ts, core/sessions.ts).
 */
export const SESSION_COOKIE = "sy_session";
/** Longer headers are not ours to parse (Node caps all headers at 16 KiB anyway). */
const MAX_CREDENTIAL_HEADER = 8192;

/** Reads one cookie from a Cookie header without a dependency; a value that does not decode is absent. */
export function readCookie(header: string | undefined | null, name: string): string | null {
  if (!header || header.length > MAX_CREDENTIAL_HEADER) return null;
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0 && part.slice(0, eq).trim() === name) {
      try {
        return decodeURIComponent(part.slice(eq + 1).trim());
      } catch {
        return null;
      }
    }
  }
  return null;
}

export function bearer(header: string | undefined | null): string | null {
  if (!header || header.length > MAX_CREDENTIAL_HEADER) return null;
  const m = /^Bearer\s+(.+)$/i.exec(header.trim());
  return m?.[1] ?? null;
}

/**
 * Whether a browser request comes from the dashboard's own origin. On a LAN every port of the
 * server's host is "same-site", so SameSite cookies alone do not stop a page served elsewhere on
 * that host from sending cookie-authenticated requests; browsers always send Origin on those.
 */
export function isSameOrigin(origin: string | undefined | null, host: string | undefined | null): boolean {
  if (!origin || !host) return false;
  try {
    return new URL(origin).host === host;
  } catch {
    return false;
  }
}

/** The Set-Cookie value for a session (or, with `maxAgeS` 0, for ending one). */
export function sessionCookie(token: string, maxAgeS: number, secure: boolean): string {
  const parts = [`${SESSION_COOKIE}=${maxAgeS > 0 ? encodeURIComponent(token) : ""}`, "Path=/", "HttpOnly", "SameSite=Lax", `Max-Age=${maxAgeS}`];
  if (secure) parts.push("Secure");
  return parts.join("; ");
}
