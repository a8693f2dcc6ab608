/**
 * `install.sh` as served: the template beside this file with the serving server's address, the
 * agent file's SHA-256 and, over the server's own TLS, its certificate's fingerprint and key pin.
 * Every value is checked against a narrow alphabet before it goes between single quotes, so no
 * request header can put shell syntax into the script.
 */
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const TEMPLATE_PATH = path.join(path.dirname(fileURLToPath(import.meta.url)), "install.sh");

export interface InstallScriptValues {
  /** `http(s)://host[:port]` as the box reached the server. */
  serverUrl: string;
  bundleSha256: string;
  fingerprint: string | null;
  curlPin: string | null;
}

export class InstallScriptError extends Error {}

const CHECKS: Record<keyof InstallScriptValues, RegExp> = {
  serverUrl: /^https?:\/\/([A-Za-z0-9.-]{1,253}|\[[0-9A-Fa-f:.]{2,45}\])(:\d{1,5})?$/,
  bundleSha256: /^[0-9a-f]{64}$/,
  fingerprint: /^sha256:[0-9a-f]{64}$/,
  curlPin: /^sha256\/\/[A-Za-z0-9+/]{43}=$/,
};

let template: string | null = null;

export function renderInstallScript(values: InstallScriptValues): string {
  template ??= fs.readFileSync(TEMPLATE_PATH, "utf8");
  const filled: Record<string, string> = {};
  for (const [key, check] of Object.entries(CHECKS) as Array<[keyof InstallScriptValues, RegExp]>) {
    const value = values[key] ?? "";
    if (value !== "" && !check.test(value)) throw new InstallScriptError(`${key} '${String(value).slice(0, 80)}' cannot go into the install script`);
    filled[key] = value;
  }
  return template
    .replace("'@@SERVER_URL@@'", `'${filled.serverUrl}'`)
    .replace("'@@BUNDLE_SHA256@@'", `'${filled.bundleSha256}'`)
    .replace("'@@FINGERPRINT@@'", `'${filled.fingerprint}'`)
    .replace("'@@CURL_PIN@@'", `'${filled.curlPin}'`);
}

/**
 * The server's address as the box reached it: the Host header it sent, over our own TLS or (behind
 * a reverse proxy) the scheme the proxy reports. Null when the Host header is not a plain
 * host[:port] (it lands in a script run as root).
 */
export function requestOrigin(host: string | undefined, encrypted: boolean, forwardedProto: string | undefined): string | null {
  const scheme = encrypted || forwardedProto?.split(",")[0]?.trim().toLowerCase() === "https" ? "https" : "http";
  const origin = `${scheme}://${host ?? ""}`;
  return host && CHECKS.serverUrl.test(origin) ? origin : null;
}
