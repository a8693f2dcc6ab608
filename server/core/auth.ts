/**
 * The admin and enrollment secrets. Transport-free: how a request carries them (Bearer header,
 * cookie, Origin) is read at the HTTP edge (server/http/credentials.ts); sessions are
 * core/sessions.ts.
 *
 * The admin token is kept only as a hash (it is printed once when generated); the enrollment token
 * is kept so the dashboard can show it with the command that adds a GPU box (sealed at rest when the
 * composition root hands in sealed settings).
 */
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import type { SettingsRepo } from "../db/repos/settings-repo";

const sha256 = (s: string) => createHash("sha256").update(s).digest("hex");
const newToken = (prefix: string) => `${prefix}_${randomBytes(24).toString("base64url")}`;
/** Which admin token sessions were signed in with (a secret setting: sealed at rest). */
const ADMIN_FINGERPRINT = "secret.admin_token_fingerprint";

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export interface Auth {
  /** Set when this start generated the admin token: the caller prints it once. */
  generatedAdminToken: string | null;
  /** The admin token differs from the one of the previous start: sessions signed in with the old one must end. */
  adminTokenChanged: boolean;
  agentToken: string;
  checkAdminToken(candidate: string | undefined | null): boolean;
  checkAgentToken(candidate: string | undefined | null): boolean;
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
  const previous = await settings.get(ADMIN_FINGERPRINT);
  if (previous !== adminHash) await settings.set(ADMIN_FINGERPRINT, adminHash);
  const agentToken = env.agentToken ?? (await settings.getOrCreate("agent_token", () => newToken("syg")));

  return {
    generatedAdminToken,
    adminTokenChanged: previous !== null && previous !== adminHash,
    agentToken,
    checkAdminToken: (c) => !!c && c.length <= 1024 && safeEqual(sha256(c), adminHash),
    checkAgentToken: (c) => !!c && safeEqual(c, agentToken),
  };
}
