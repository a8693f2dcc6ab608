/**
 * The dashboard's playground calls the gateway with the sign-in cookie instead of an API key. A
 * cookie rides along on requests that other sites' pages make too, so it counts only on requests
 * from the dashboard's own origin: Origin equal to Host (browsers send Origin on every cross-origin
 * request and every POST), or, where a browser leaves Origin off (a same-origin GET), Sec-Fetch-Site
 * "same-origin", which pages cannot forge. The one place the gateway reads the session.
 */
import type { IncomingHttpHeaders } from "node:http";
import { SESSION_COOKIE, isSameOrigin, readCookie, type Auth } from "../../core/auth";
import { DASHBOARD_KEY, presentedKey, type GatewayKey, type KeyStore } from "./keys";

/** Whether a request's headers carry a valid dashboard session from the dashboard's own pages (async: sessions may live in a database). */
export type SessionCheck = (headers: IncomingHttpHeaders) => Promise<boolean>;

export function dashboardSessionCheck(auth: Pick<Auth, "checkSession">): SessionCheck {
  return async (headers: IncomingHttpHeaders) => fromDashboardOrigin(headers) && auth.checkSession(readCookie(headers.cookie, SESSION_COOKIE));
}

/**
 * The key a request presents (a wrong one stays wrong, session or not), else the dashboard's
 * stand-in when the request carries no key and a good session from the dashboard's origin.
 */
export async function keyOrSession(keys: Pick<KeyStore, "authenticate">, session: SessionCheck | null, headers: IncomingHttpHeaders): Promise<GatewayKey | null> {
  const key = keys.authenticate(headers);
  if (key || presentedKey(headers) !== null || !session) return key;
  return (await session(headers)) ? DASHBOARD_KEY : null;
}

function fromDashboardOrigin(headers: IncomingHttpHeaders): boolean {
  const origin = headers.origin;
  if (origin !== undefined) return isSameOrigin(origin, headers.host);
  return headers["sec-fetch-site"] === "same-origin";
}
