/**
 * The dashboard's playground calls the gateway with the sign-in cookie instead of an API key. A
 * cookie rides along on requests that other sites' pages make too, so it counts only on requests
 * from the dashboard's own origin: Origin equal to Host (browsers send Origin on every cross-origin
 * request and every POST), or, where a browser leaves Origin off (a same-origin GET), Sec-Fetch-Site
 * "same-origin", which pages cannot forge. The one place the gateway reads the session.
 */
import type { IncomingHttpHeaders } from "node:http";
import { isSameOrigin } from "../../http/credentials";
import type { RequestAuth } from "../../http/request-auth";
import type { GatewayKeys } from "../../core/gateway";
import { DASHBOARD_KEY, type GatewayKey } from "../../core/gateway/key-store";
import { presentedKey } from "./presented-key";

/** Whether a request's headers carry a live dashboard session from the dashboard's own pages (async: sessions live in the database). */
export type SessionCheck = (headers: IncomingHttpHeaders) => Promise<boolean>;

export function dashboardSessionCheck(requestAuth: Pick<RequestAuth, "identify">): SessionCheck {
  return async (headers) => fromDashboardOrigin(headers) && (await requestAuth.identify({ cookie: headers.cookie })) === "session";
}

/**
 * The key a request presents (a wrong one stays wrong, session or not), else the dashboard's
 * stand-in when the request carries no key and a live session from the dashboard's origin. A
 * presented key is answered at once (the hot path stays synchronous); only a session is awaited.
 */
export function keyOrSession(keys: Pick<GatewayKeys, "authenticate">, session: SessionCheck | null, headers: IncomingHttpHeaders): GatewayKey | null | Promise<GatewayKey | null> {
  const presented = presentedKey(headers);
  const key = presented ? keys.authenticate(presented) : null;
  if (key || presented !== null || !session) return key;
  return session(headers).then((ok) => (ok ? DASHBOARD_KEY : null));
}

function fromDashboardOrigin(headers: IncomingHttpHeaders): boolean {
  const origin = headers.origin;
  if (origin !== undefined) return isSameOrigin(origin, headers.host);
  return headers["sec-fetch-site"] === "same-origin";
}
