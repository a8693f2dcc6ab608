/**
 * Signing in and out of the dashboard:
 *   POST   /api/session    {"token"} (JSON: 204 with the cookie), or the sign-in form
 *                          (urlencoded `token`, `next`: 303 to `next`, or back to /login?error=…)
 *   DELETE /api/session    ends this browser's session
 *   DELETE /api/sessions   ends every session (sign out everywhere); needs the token or a session
 * The form works before and without the page's script: it posts, so the token never lands in a URL.
 */
import { Hono, type Context } from "hono";
import { getConnInfo } from "@hono/node-server/conninfo";
import { z } from "zod";
import { safeNextPath } from "../../lib/next-path";
import type { Auth } from "../core/auth";
import { ServiceError } from "../core/errors";
import { createLoginLimiter } from "../core/login-limiter";
import type { Sessions } from "../core/sessions";
import { isSameOrigin, sessionCookie } from "../http/credentials";
import type { RequestAuth } from "../http/request-auth";
import { errorBody } from "./errors";
import { jsonBody } from "./json-body";
import { readBody } from "../http/body-limit";
import type { ClientAddress } from "../http/forwarded";

export interface SessionDeps {
  auth: Pick<Auth, "checkAdminToken">;
  sessions: Sessions;
  requestAuth: RequestAuth;
  /** The client's address behind a trusted reverse proxy (server/http/forwarded.ts); default: the peer's. */
  clientAddress?: ClientAddress;
}

/** A token and a `next` path fit easily; a sign-in body has no reason to be larger. */
const SIGN_IN_BODY_LIMIT = 16 * 1024;
const sessionBody = z.object({ token: z.string().min(1, "token is required").max(1024) });

function clientAddress(c: Context, resolve: ClientAddress | undefined): string {
  let peer: string | undefined;
  try {
    peer = getConnInfo(c).remote.address;
  } catch {
    return "unknown"; // app.request() in tests has no socket
  }
  if (!peer) return "unknown";
  return resolve ? resolve(peer, c.req.header("x-forwarded-for")) : peer;
}

/** Over our own TLS (the request URL says https) or behind a TLS reverse proxy: the cookie is then Secure. */
function isHttps(c: Context): boolean {
  return c.req.url.startsWith("https:") || c.req.header("x-forwarded-proto")?.split(",")[0]?.trim() === "https";
}
const isForm = (c: Context) => (c.req.header("content-type") ?? "").toLowerCase().startsWith("application/x-www-form-urlencoded");

/** A browser's change to the session must come from the dashboard itself (browsers always send Origin on those). */
function refuseCrossOrigin(c: Context): void {
  const origin = c.req.header("origin");
  if (origin !== undefined && !isSameOrigin(origin, c.req.header("host"))) {
    throw new ServiceError("forbidden", "cross-origin request refused: sign in and out from the dashboard itself");
  }
}

function backToLogin(c: Context, error: "invalid" | "rate_limited", next: string): Response {
  const q = new URLSearchParams({ error });
  if (next !== "/") q.set("next", next);
  return c.redirect(`/login?${q}`, 303);
}

/** Sign-in and sign-out: no credentials needed to reach them. */
export function sessionRoutes(deps: SessionDeps): Hono {
  const { auth, sessions } = deps;
  const limiter = createLoginLimiter();
  const app = new Hono();

  app.post("/session", async (c) => {
    const form = isForm(c);
    // Counted now, before the body (the guess) has arrived.
    const attempt = limiter.begin(clientAddress(c, deps.clientAddress));
    if (!attempt.ok) {
      const waitS = Math.max(1, Math.ceil(attempt.retryAfterMs / 1000));
      if (form) return backToLogin(c, "rate_limited", "/");
      c.header("retry-after", String(waitS));
      const why = attempt.reason === "too_many_at_once" ? "too many sign-ins at once from this address" : "too many wrong tokens";
      return c.json(errorBody("rate_limited", `${why}: try again in ${waitS} s`), 429);
    }
    let success = false;
    try {
      refuseCrossOrigin(c);
      let token: string;
      let next = "/";
      if (form) {
        const fields = new URLSearchParams(new TextDecoder().decode(await readBody(c, SIGN_IN_BODY_LIMIT)));
        token = (fields.get("token") ?? "").trim();
        next = safeNextPath(fields.get("next"));
      } else {
        token = sessionBody.parse(await jsonBody(c, SIGN_IN_BODY_LIMIT)).token.trim();
      }
      if (!auth.checkAdminToken(token)) {
        if (form) return backToLogin(c, "invalid", next);
        throw new ServiceError("unauthorized", "that admin token is not right");
      }
      success = true;
      const session = await sessions.create();
      c.header("set-cookie", sessionCookie(session.token, session.maxAgeS, isHttps(c)));
      return form ? c.redirect(next, 303) : c.body(null, 204);
    } finally {
      attempt.done(success);
    }
  });

  app.delete("/session", async (c) => {
    refuseCrossOrigin(c);
    await sessions.end(deps.requestAuth.sessionToken({ cookie: c.req.header("cookie") }));
    c.header("set-cookie", sessionCookie("", 0, isHttps(c)));
    return c.body(null, 204);
  });

  return app;
}

/** Behind the API's credentials check: ends every session, this one included. */
export function signOutEverywhereRoute(sessions: Sessions): Hono {
  const app = new Hono();
  app.delete("/sessions", async (c) => {
    const ended = await sessions.endAll();
    c.header("set-cookie", sessionCookie("", 0, isHttps(c)));
    return c.json({ ended });
  });
  return app;
}
