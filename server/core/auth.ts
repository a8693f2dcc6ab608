/**
 * Admin and enrollment secrets, and the dashboard's session cookie.
 *
 * The admin token is kept only as a hash (it is printed once when generated); the enrollment token
 * is kept in clear because the dashboard shows it with the command that adds a GPU box. Sessions are
 * stateless HMACs over an expiry, keyed by a stored random key and bound to the admin token, so
 * they survive restarts and die when the admin token changes.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import type { SettingsRepo } from "../db/repos/settings-repo";

export const SESSION_COOKIE = "sy_session";
const SESSION_TTL_MS = 30 * 24 * 3600 * 1000;

const sha256 = (s: string) => createHash("sha256").update(s).digest("hex");
const newToken = (prefix: string) => `${prefix}_${randomBytes(24).toString("base64url")}`;

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export interface Auth {
  /** Set when this start generated the admin token: the caller prints it once. */
  generatedAdminToken: string | null;
  agentToken: string;
  checkAdminToken(candidate: string | undefined | null): boolean;
  checkAgentToken(candidate: string | undefined | null): boolean;
  issueSession(now?: number): { value: string; maxAgeS: number };
  checkSession(value: string | undefined | null, now?: number): boolean;
}

export async function createAuth(
  settings: SettingsRepo,
  env: { adminToken?: string; agentToken?: string },
): Promise<Auth> {
  let generatedAdminToken: string | null = null;
  let adminHash: string;
  if (env.adminToken) {
    adminHash = sha256(env.adminToken);
  } else {
    const stored = await settings.get("admin_token_sha256");
    if (stored) {
      adminHash = stored;
    } else {
      generatedAdminToken = newToken("sya");
      adminHash = sha256(generatedAdminToken);
      await settings.set("admin_token_sha256", adminHash);
    }
  }
  const agentToken = env.agentToken ?? (await settings.getOrCreate("agent_token", () => newToken("syg")));
  const sessionKey = await settings.getOrCreate("session_key", () => randomBytes(32).toString("hex"));
  const mac = (expiry: string) => createHmac("sha256", sessionKey).update(`${expiry}.${adminHash}`).digest("base64url");

  return {
    generatedAdminToken,
    agentToken,
    checkAdminToken: (c) => !!c && safeEqual(sha256(c), adminHash),
    checkAgentToken: (c) => !!c && safeEqual(c, agentToken),
    issueSession(now = Date.now()) {
      const expiry = String(now + SESSION_TTL_MS);
      return { value: `${expiry}.${mac(expiry)}`, maxAgeS: SESSION_TTL_MS / 1000 };
    },
    checkSession(value, now = Date.now()) {
      if (!value) return false;
      const dot = value.indexOf(".");
      if (dot <= 0) return false;
      const expiry = value.slice(0, dot);
      if (!(Number(expiry) > now)) return false;
      return safeEqual(value.slice(dot + 1), mac(expiry));
    },
  };
}

/**
 * Reads one cookie from a Cookie header without a dependency. A value that is not valid percent-
 * encoding is no cookie (decodeURIComponent would throw in the request handler: the request hung).
 */
export function readCookie(header: string | undefined, name: string): string | null {
  if (!header) return null;
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq <= 0 || part.slice(0, eq).trim() !== name) continue;
    try {
      return decodeURIComponent(part.slice(eq + 1).trim());
    } catch {
      return null;
    }
  }
  return null;
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

export function bearer(header: string | undefined | null): string | null {
  if (!header) return null;
  const m = /^Bearer\s+(.+)$/i.exec(header.trim());
  return m?.[1] ?? null;
}
