/**
 * What the server serves HTTPS with, from the environment: your own PEM files
 * (`SWITCHYARD_TLS_CERT`/`SWITCHYARD_TLS_KEY`), a certificate of its own kept in the data directory
 * (`SWITCHYARD_TLS=self-signed`), or nothing (plain HTTP, e.g. behind a TLS reverse proxy).
 * Every problem stops the start with a ConfigError naming the file and what to do.
 */
import { X509Certificate, createHash, createPublicKey } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import tls from "node:tls";
import { fingerprintOf, type Fingerprint } from "../../lib/tls-pin";
import type { Logger } from "../../lib/logger";
import { ConfigError, type ServerEnv } from "../config/env";

export interface ServerTls {
  cert: string;
  key: string;
  /** The certificate's SHA-256 (`--fingerprint` of agents, `SWITCHYARD_FINGERPRINT` of the CLI). */
  fingerprint: Fingerprint;
  /** Its public key's pin as curl takes it (`--pinnedpubkey`), for the install one-liner. */
  curlPin: string;
  source: "files" | "self-signed";
  /** Where the certificate is, for the start-up message. */
  certPath: string;
}

const EXPIRY_WARNING_MS = 14 * 24 * 3600 * 1000;

export async function loadServerTls(env: ServerEnv, log: Logger, now = Date.now()): Promise<ServerTls | null> {
  let loaded: { cert: string; key: string; certPath: string; keyPath: string; source: ServerTls["source"] };
  if (env.SWITCHYARD_TLS_CERT && env.SWITCHYARD_TLS_KEY) {
    const certPath = path.resolve(env.SWITCHYARD_TLS_CERT);
    const keyPath = path.resolve(env.SWITCHYARD_TLS_KEY);
    loaded = { cert: readPem(certPath, "SWITCHYARD_TLS_CERT"), key: readPem(keyPath, "SWITCHYARD_TLS_KEY"), certPath, keyPath, source: "files" };
    warnIfShared(keyPath, log);
  } else if (env.SWITCHYARD_TLS === "self-signed") {
    loaded = { ...(await ensureSelfSigned(path.join(env.dataDir, "tls"), log)), source: "self-signed" };
  } else {
    return null;
  }
  return describe(loaded, log, now);
}

function describe(files: { cert: string; key: string; certPath: string; keyPath: string; source: ServerTls["source"] }, log: Logger, now: number): ServerTls {
  let x509: X509Certificate;
  try {
    x509 = new X509Certificate(files.cert);
  } catch (err) {
    throw new ConfigError(`${files.certPath} is not a PEM certificate (${(err as Error).message}): SWITCHYARD_TLS_CERT must name a file starting with -----BEGIN CERTIFICATE-----`);
  }
  try {
    tls.createSecureContext({ cert: files.cert, key: files.key });
  } catch (err) {
    throw new ConfigError(`the TLS key ${files.keyPath} does not go with the certificate ${files.certPath} (${(err as Error).message})`);
  }
  const validTo = Date.parse(x509.validTo);
  if (validTo < now) log.error({ cert: files.certPath, validTo: x509.validTo }, "the TLS certificate has expired: browsers and agents without --fingerprint will refuse it");
  else if (validTo - now < EXPIRY_WARNING_MS) log.warn({ cert: files.certPath, validTo: x509.validTo }, "the TLS certificate expires soon");
  const spki = createPublicKey(files.cert).export({ type: "spki", format: "der" });
  return {
    cert: files.cert,
    key: files.key,
    fingerprint: fingerprintOf(x509.raw),
    curlPin: `sha256//${createHash("sha256").update(spki).digest("base64")}`,
    source: files.source,
    certPath: files.certPath,
  };
}

function readPem(file: string, variable: string): string {
  try {
    return fs.readFileSync(file, "utf8");
  } catch (err) {
    throw new ConfigError(`${variable}: cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
}

function warnIfShared(keyPath: string, log: Logger) {
  const mode = fs.statSync(keyPath).mode & 0o777;
  if (mode & 0o077) log.warn({ key: keyPath, mode: mode.toString(8) }, "the TLS private key is readable by other users: chmod 600 it");
}

/**
 * The certificate made on first start, and the same one on every start after: agents pin it. The
 * key is written 0600 before the certificate appears, so a certificate on disk always has its key.
 */
async function ensureSelfSigned(dir: string, log: Logger): Promise<{ cert: string; key: string; certPath: string; keyPath: string }> {
  const certPath = path.join(dir, "cert.pem");
  const keyPath = path.join(dir, "key.pem");
  const haveCert = fs.existsSync(certPath);
  if (haveCert && !fs.existsSync(keyPath)) {
    throw new ConfigError(`${certPath} is there but its key ${keyPath} is missing: restore the key, or delete ${certPath} to make a new certificate (every agent then needs the new --fingerprint)`);
  }
  if (!haveCert) {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    // The certificate maker (selfsigned, @peculiar/x509: ~200 modules) is loaded the one time it is needed.
    const { machineNames, makeSelfSigned } = await import("./self-signed");
    const made = await makeSelfSigned(machineNames());
    writePrivate(keyPath, made.key);
    writePrivate(certPath, made.cert);
    log.info({ cert: certPath, fingerprint: fingerprintOf(new X509Certificate(made.cert).raw) }, "made a self-signed TLS certificate");
  }
  return { cert: fs.readFileSync(certPath, "utf8"), key: fs.readFileSync(keyPath, "utf8"), certPath, keyPath };
}

/** Written beside and renamed into place: an interrupted start never leaves half a file. */
function writePrivate(file: string, content: string) {
  const partial = `${file}.partial`;
  fs.writeFileSync(partial, content, { mode: 0o600 });
  fs.chmodSync(partial, 0o600);
  fs.renameSync(partial, file);
}
