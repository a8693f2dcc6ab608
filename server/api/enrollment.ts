/**
 * REST adapter for adding GPU boxes (server/core/identity):
 *   GET  /api/enrollment              the enrollment token, its command, this server's LAN addresses and TLS fingerprint
 *   POST /api/enrollment/rotate       a new enrollment token (credentials already issued keep working)
 *   POST /api/enrollment/join-tokens  {ttlMinutes?} → a single-use join token, shown this once
 *   GET  /api/enrollment/join-tokens  unused, unexpired join tokens (never their secrets)
 *   GET  /api/enrollment/refusals     refused agent connections: name, address, reason, when, how often
 */
import { z } from "zod";
import { Hono, type Context } from "hono";
import { JOIN_TOKEN_TTL, agentCommand, type JoinTokenIssued } from "../../protocol/enrollment";
import type { EnrollmentInfo } from "../../protocol/live";
import type { Identity } from "../core/identity/identity";
import { toErrorResponse } from "./errors";
import { jsonBody } from "./json-body";

const createJoinTokenBodySchema = z.object({
  ttlMinutes: z.number().int().min(JOIN_TOKEN_TTL.minMinutes).max(JOIN_TOKEN_TTL.maxMinutes).default(JOIN_TOKEN_TTL.defaultMinutes),
}).strict();

export interface EnrollmentDeps {
  identity: Identity;
  lanAddresses: () => string[];
  /** The server certificate's fingerprint when it serves HTTPS (null: plain HTTP). */
  tlsFingerprint: () => string | null;
  /** Its public key's pin for curl (`--pinnedpubkey`). */
  tlsCurlPin: () => string | null;
}

/** This server as the browser reached it (the dashboard may offer LAN addresses instead). */
export function requestBaseUrl(c: Context): string {
  const forwarded = c.req.header("x-forwarded-proto")?.split(",")[0]?.trim();
  const proto = forwarded === "https" || forwarded === "http" ? forwarded : c.req.url.startsWith("https:") ? "https" : "http";
  return `${proto}://${c.req.header("host") ?? "localhost:3000"}`;
}

export function enrollmentRoutes(deps: EnrollmentDeps): Hono {
  const { identity } = deps;
  const app = new Hono();
  app.onError(toErrorResponse);

  const info = async (c: Context): Promise<EnrollmentInfo> => {
    const serverUrl = requestBaseUrl(c);
    const fingerprint = deps.tlsFingerprint();
    const agentToken = await identity.enrollmentToken();
    return {
      agentToken, serverUrl, command: agentCommand(serverUrl, agentToken, fingerprint),
      controlPlane: identity.controlPlane, lanAddresses: deps.lanAddresses(), fingerprint, curlPin: deps.tlsCurlPin(), tokenFromEnv: identity.tokenFromEnv,
    };
  };

  app.get("/", async (c) => c.json(await info(c)));
  app.post("/rotate", async (c) => {
    await identity.rotateEnrollmentToken();
    return c.json(await info(c));
  });
  app.post("/join-tokens", async (c) => {
    const { ttlMinutes } = createJoinTokenBodySchema.parse(await jsonBody(c));
    const issued: JoinTokenIssued = await identity.createJoinToken(ttlMinutes);
    return c.json(issued, 201);
  });
  app.get("/join-tokens", async (c) => c.json(await identity.pendingJoinTokens()));
  app.get("/refusals", async (c) => c.json(await identity.refusals()));
  return app;
}
