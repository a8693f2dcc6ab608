/**
 * "Add a GPU box" for the dashboard and the REST API: join tokens, refused attempts, and the
 * commands that add a box, built in one place for the server and the browser alike.
 */
// No zod here: the dashboard imports this module, and zod's start-up eval probe breaks its CSP.
// The body schema of POST /api/enrollment/join-tokens lives with that route (server/api/enrollment.ts).

export const JOIN_TOKEN_TTL = { defaultMinutes: 60, minMinutes: 5, maxMinutes: 24 * 60 } as const;

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

export interface InstallCommandOptions {
  /** `http(s)://host:port` as the box reaches the server. */
  serverUrl: string;
  token: string;
  /** The server's certificate fingerprint and key pin (server/tls), when it serves HTTPS itself. */
  fingerprint?: string | null;
  curlPin?: string | null;
  name?: string;
}

/**
 * The one-liner that adds a GPU box, as the dashboard's "Add a GPU box" shows it. Over the server's
 * own TLS, curl pins the server's public key (`--pinnedpubkey`; `--insecure` only lifts the CA check
 * a self-signed certificate cannot pass, the pin is still enforced), so the script that runs as root
 * comes from this server; the script then pins the agent to the certificate with `--fingerprint`.
 */
export function installCommand(o: InstallCommandOptions): string {
  const url = `${o.serverUrl.replace(/\/+$/, "")}/agent/install.sh`;
  const pinned = url.startsWith("https:") && o.curlPin;
  const curl = pinned ? `curl -fsSL --insecure --pinnedpubkey '${o.curlPin}' ${url}` : `curl -fsSL ${url}`;
  const args = [`--token ${o.token}`];
  if (url.startsWith("https:") && o.fingerprint) args.push(`--fingerprint ${o.fingerprint}`);
  if (o.name) args.push(`--name ${o.name}`);
  return `${curl} | sudo sh -s -- ${args.join(" ")}`;
}

/** The agent run by hand (`npx`, from a checkout); the fingerprint pins an https:// server's certificate. */
export function agentCommand(serverUrl: string, token: string, fingerprint: string | null): string {
  const base = serverUrl.replace(/\/+$/, "");
  return `npx switchyard-agent --server ${base} --token ${token}${base.startsWith("https:") && fingerprint ? ` --fingerprint ${fingerprint}` : ""}`;
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
