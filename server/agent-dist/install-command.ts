/**
 * The one-liner that adds a GPU box, as the dashboard's "Add a GPU box" shows it. Over the server's
 * own TLS, curl pins the server's public key (`--pinnedpubkey`; `--insecure` only lifts the CA check
 * a self-signed certificate cannot pass, the pin is still enforced), so the script that runs as root
 * comes from this server; the script then pins the agent to the certificate with `--fingerprint`.
 */
export interface InstallCommandOptions {
  /** `http(s)://host:port` as the box reaches the server. */
  serverUrl: string;
  token: string;
  /** The server's certificate fingerprint and key pin (server/tls), when it serves HTTPS itself. */
  fingerprint?: string | null;
  curlPin?: string | null;
  name?: string;
}

export function installCommand(o: InstallCommandOptions): string {
  const url = `${o.serverUrl.replace(/\/+$/, "")}/agent/install.sh`;
  const pinned = url.startsWith("https:") && o.curlPin;
  const curl = pinned ? `curl -fsSL --insecure --pinnedpubkey '${o.curlPin}' ${url}` : `curl -fsSL ${url}`;
  const args = [`--token ${o.token}`];
  if (url.startsWith("https:") && o.fingerprint) args.push(`--fingerprint ${o.fingerprint}`);
  if (o.name) args.push(`--name ${o.name}`);
  return `${curl} | sudo sh -s -- ${args.join(" ")}`;
}
