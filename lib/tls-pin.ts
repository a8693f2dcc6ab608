/**
 * Certificate pinning for a Switchyard server with a certificate of its own (self-signed, or from a
 * CA the box does not trust): agents and the CLI are given the SHA-256 of the server's certificate
 * (`--fingerprint`, `SWITCHYARD_FINGERPRINT`) and talk only to a server that presents exactly that
 * certificate. TLS itself proves the server holds the certificate's key, so name checks add nothing.
 */
import { createHash } from "node:crypto";
import type { ClientRequestArgs } from "node:http";
import net from "node:net";
import tls from "node:tls";

/** A certificate's SHA-256 as Switchyard prints it: `sha256:` and 64 lowercase hex digits. */
export type Fingerprint = `sha256:${string}`;

export class FingerprintFormatError extends Error {
  readonly code = "bad_fingerprint";
}

/** The server presented another certificate than the one pinned. */
export class TlsPinError extends Error {
  readonly code = "tls_pin_mismatch";
  constructor(readonly expected: Fingerprint, readonly actual: Fingerprint | null, readonly server: string) {
    super(actual
      ? `refused ${server}: its TLS certificate is ${actual}, not the pinned ${expected}. Nothing was sent to it. `
        + "If you replaced the server's certificate, use the new fingerprint (printed by the server at start, and in the dashboard under 'Add a GPU box'); otherwise something on the network is impersonating the server."
      : `refused ${server}: it presented no TLS certificate (pinned ${expected}). Nothing was sent to it.`);
  }
}

/**
 * Reads a fingerprint as users paste it: `sha256:HEX`, or the colon-separated form openssl prints
 * (`AB:CD:…`, optionally after `SHA256 Fingerprint=`), any case.
 */
export function parseFingerprint(input: string): Fingerprint {
  const text = input.trim();
  const hint = "a certificate fingerprint is sha256: followed by 64 hex digits (or the AB:CD:… form openssl prints), as the server prints it at start";
  if (text.length > 200) throw new FingerprintFormatError(`that fingerprint is too long: ${hint}`);
  const body = text.replace(/^sha-?256(\s*fingerprint)?\s*[:=]?\s*/i, "");
  const hex = /^[0-9a-f]{2}(:[0-9a-f]{2}){31}$/i.test(body) ? body.replaceAll(":", "") : body;
  if (!/^[0-9a-f]{64}$/i.test(hex)) {
    const digits = hex.replace(/[^0-9a-f]/gi, "").length;
    throw new FingerprintFormatError(`'${text.slice(0, 80)}' is not a SHA-256 fingerprint (${digits} hex digits): ${hint}`);
  }
  return `sha256:${hex.toLowerCase()}`;
}

/** The fingerprint of a DER certificate (`getPeerCertificate().raw`, `X509Certificate.raw`). */
export function fingerprintOf(der: Buffer): Fingerprint {
  return `sha256:${createHash("sha256").update(der).digest("hex")}`;
}

/** `https.request`'s own hook: it waits for the callback before writing anything. */
export type CreateConnection = NonNullable<ClientRequestArgs["createConnection"]>;

/**
 * A `createConnection` for `https.request` and `ws` that hands over a socket only once the server's
 * certificate matched the pin. Until then nobody holds the socket, so no request byte (token,
 * credential, admin token) can reach an impostor, whatever the HTTP client writes and when.
 */
export function pinnedConnection(pin: Fingerprint, server: string): CreateConnection {
  return (options, done) => {
    const host = (options.hostname ?? options.host ?? "localhost").replace(/^\[|\]$/g, "");
    const socket = tls.connect({
      host,
      port: Number(options.port) || 443,
      servername: net.isIP(host) ? undefined : host,
      // The pin below is the whole check: the chain and names of a pinned certificate do not matter.
      rejectUnauthorized: false,
    });
    let settled = false;
    const settle = (err: Error | null) => {
      if (settled) return;
      settled = true;
      socket.setTimeout(0);
      socket.off("error", settle);
      if (err) {
        socket.destroy();
        done(err, socket);
      } else {
        done(null, socket);
      }
    };
    socket.setTimeout(options.timeout || 10_000, () => settle(new Error(`no TLS handshake with ${server} within ${Math.round((options.timeout || 10_000) / 1000)} s`)));
    socket.once("error", settle);
    socket.once("secureConnect", () => {
      const raw = socket.getPeerCertificate().raw as Buffer | undefined;
      const actual = raw ? fingerprintOf(raw) : null;
      settle(actual === pin ? null : new TlsPinError(pin, actual, server));
    });
    return undefined;
  };
}

const UNTRUSTED_CODES = new Set([
  "DEPTH_ZERO_SELF_SIGNED_CERT", "SELF_SIGNED_CERT_IN_CHAIN", "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY", "UNABLE_TO_GET_ISSUER_CERT", "CERT_UNTRUSTED", "ERR_TLS_CERT_ALTNAME_INVALID",
  "CERT_HAS_EXPIRED", "CERT_NOT_YET_VALID",
]);

/**
 * For a TLS refusal by normal CA verification, what to do about it; null for other errors.
 * `how` says how this program takes a fingerprint (`--fingerprint sha256:…`, `SWITCHYARD_FINGERPRINT=sha256:…`).
 */
export function explainUntrustedServer(err: unknown, server: string, how: string): string | null {
  let e = err as (Error & { code?: string; cause?: unknown }) | undefined;
  for (let depth = 0; e && depth < 3; depth++, e = e.cause as typeof e) {
    if (e.code && UNTRUSTED_CODES.has(e.code)) {
      return `the TLS certificate of ${server} is not trusted (${e.message}). If it is your Switchyard server with a certificate of its own (SWITCHYARD_TLS=self-signed), `
        + `give its fingerprint with ${how} (printed by the server at start, and shown in the dashboard under 'Add a GPU box').`;
    }
  }
  return null;
}
