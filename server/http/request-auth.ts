/**
 * Who sent a request, from its headers: a script with the admin token (Bearer), a browser with a
 * live dashboard session (cookie), or nobody. Shared by the REST API, the page gate and the live
 * socket, so all three accept exactly the same credentials.
 */
import type { IncomingHttpHeaders } from "node:http";
import type { Auth } from "../core/auth";
import type { Sessions } from "../core/sessions";
import { SESSION_COOKIE, bearer, isSameOrigin, readCookie } from "./credentials";

export type Caller = "admin-token" | "session" | null;

export interface CredentialHeaders {
  authorization?: string | null;
  cookie?: string | null;
}

export interface RequestAuth {
  identify(h: CredentialHeaders): Promise<Caller>;
  /** The session cookie's token, if any (what sign-out ends). */
  sessionToken(h: CredentialHeaders): string | null;
  /** For WebSocket handshakes (browsers send cookies cross-origin there too): the token, or a session from the dashboard's own origin. */
  allowsUpgrade(headers: IncomingHttpHeaders): Promise<boolean>;
}

export function createRequestAuth(auth: Pick<Auth, "checkAdminToken">, sessions: Pick<Sessions, "check">): RequestAuth {
  const sessionToken = (h: CredentialHeaders) => readCookie(h.cookie, SESSION_COOKIE);
  const identify = async (h: CredentialHeaders): Promise<Caller> => {
    if (auth.checkAdminToken(bearer(h.authorization))) return "admin-token";
    return (await sessions.check(sessionToken(h))) ? "session" : null;
  };
  return {
    identify,
    sessionToken,
    async allowsUpgrade(headers) {
      const caller = await identify({ authorization: headers.authorization, cookie: headers.cookie });
      if (caller !== "session") return caller === "admin-token";
      return !headers.origin || isSameOrigin(headers.origin, headers.host);
    },
  };
}
