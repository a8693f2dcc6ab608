/**
 * The dashboard's playground calls the gateway with the sign-in cookie instead of an API key. A
 * cookie rides along on requests that other sites' pages make too, so it counts only on requests
 * from the dashboard's own origin: Origin equal to Host (browsers send Origin on every cross-origin
 * request and every POST), or, where a browser leaves Origin off (a same-origin GET), Sec-Fetch-Site
 * "same-origin", which pages cannot forge. The one place the gateway reads the session.
 */
import type { IncomingHttpHeaders } from "node:http";
import { SESSION_COOKIE, isSameOrigin, readCookie, type Auth } from "../../core/auth";
import type { SessionCheck } from "./keys";

export function dashboardSessionCheck(auth: Pick<Auth, "checkSession">): SessionCheck {
  return (headers: IncomingHttpHeaders) => {
    if (!fromDashboardOrigin(headers)) return false;
    return auth.checkSession(readCookie(headers.cookie, SESSION_COOKIE));
  };
}

function fromDashboardOrigin(headers: IncomingHttpHeaders): boolean {
  const origin = headers.origin;
  if (origin !== undefined) return isSameOrigin(origin, headers.host);
  return headers["sec-fetch-site"] === "same-origin";
}
