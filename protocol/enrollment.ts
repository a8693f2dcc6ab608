/**
 * "Add a GPU box" for the dashboard and the REST API: join tokens, refused attempts, and the
 * commands that add a box, built in one place for the server and the browser alike.
 */
import { z } from "zod";

export const JOIN_TOKEN_TTL = { defaultMinutes: 60, minMinutes: 5, maxMinutes: 24 * 60 } as const;

export const createJoinTokenBodySchema = z.object({
  ttlMinutes: z.number().int().min(JOIN_TOKEN_TTL.minMinutes).max(JOIN_TOKEN_TTL.maxMinutes).default(JOIN_TOKEN_TTL.defaultMinutes),
}).strict();

/** A join token just made: the only time its secret is shown. */
export interface JoinTokenIssued {
  token: string;
  expiresAt: number;
}

export interface PendingJoinToken {
  id: string;
  createdAt: number;
  expiresAt: number;
}

/** Refused agent connections with the same name, address and reason, counted. */
export interface AgentRefusalView {
  node: string;
  address: string;
  code: string;
  message: string;
  count: number;
  firstAt: number;
  lastAt: number;
}

/** `sha256:HEX` as the agent's `--fingerprint` takes it. */
export function normalizeFingerprint(fp: string | null | undefined): string | null {
  if (!fp) return null;
  const hex = fp.replace(/^sha256:/i, "").replace(/:/g, "").toLowerCase();
  return /^[0-9a-f]{64}$/.test(hex) ? `sha256:${hex}` : null;
}

/** The one-line install on a box: fetches the bundled agent from this server, enrolls, installs a service. */
export function installCommand(serverUrl: string, token: string, fingerprint: string | null): string {
  const base = serverUrl.replace(/\/+$/, "");
  return `curl -fsSL ${base}/agent/install.sh | sudo sh -s -- --token ${token}${fingerprint ? ` --fingerprint ${fingerprint}` : ""}`;
}

/** The agent run by hand (`npx`, from a checkout). */
export function agentCommand(serverUrl: string, token: string, fingerprint: string | null): string {
  return `npx switchyard-agent --server ${serverUrl.replace(/\/+$/, "")} --token ${token}${fingerprint ? ` --fingerprint ${fingerprint}` : ""}`;
}

const LOOPBACK = new Set(["localhost", "127.0.0.1", "::1", "[::1]"]);

/**
 * The server addresses worth offering for a command. Opened through localhost, the browser's own
 * address would give a command only the server itself can use: the server's LAN addresses come
 * first then, the loopback one last.
 */
export function serverUrlChoices(browser: { protocol: string; hostname: string; port: string }, lanAddresses: readonly string[]): string[] {
  const port = browser.port ? `:${browser.port}` : "";
  const own = `${browser.protocol}//${browser.hostname}${port}`;
  if (!LOOPBACK.has(browser.hostname.toLowerCase())) return [own];
  const lan = lanAddresses.map((a) => `${browser.protocol}//${a.includes(":") ? `[${a}]` : a}${port}`);
  return [...lan, own];
}
