/**
 * A certificate of the server's own for `SWITCHYARD_TLS=self-signed`: EC P-256, valid for ten years
 * (agents pin it by fingerprint, so its lifetime is the pin's: a shorter one would only force every
 * box to be re-pinned), naming this machine's hostname and addresses so browsers show a sensible
 * warning. `selfsigned` builds it with Node's WebCrypto: no openssl binary needed.
 */
import os from "node:os";
import selfsigned from "selfsigned";

const TEN_YEARS_MS = 10 * 365 * 24 * 3600 * 1000;

export interface CertificateNames {
  dns: string[];
  ips: string[];
}

/** This machine's names: hostname, localhost, loopback and every external interface address. */
export function machineNames(): CertificateNames {
  const ips = new Set(["127.0.0.1", "::1"]);
  for (const list of Object.values(os.networkInterfaces())) {
    for (const a of list ?? []) if (!a.internal) ips.add(a.address.split("%")[0]!);
  }
  const dns = new Set(["localhost", os.hostname()].filter((n) => /^[A-Za-z0-9.-]{1,253}$/.test(n)));
  return { dns: [...dns], ips: [...ips] };
}

export async function makeSelfSigned(names: CertificateNames, now = new Date()): Promise<{ cert: string; key: string }> {
  const pems = await selfsigned.generate([{ name: "commonName", value: `Switchyard ${names.dns[1] ?? names.dns[0] ?? "server"}` }], {
    keyType: "ec",
    curve: "P-256",
    algorithm: "sha256",
    notBeforeDate: new Date(now.getTime() - 60_000),
    notAfterDate: new Date(now.getTime() + TEN_YEARS_MS),
    extensions: [
      { name: "basicConstraints", cA: false },
      { name: "keyUsage", digitalSignature: true },
      { name: "extKeyUsage", serverAuth: true },
      { name: "subjectAltName", altNames: [...names.dns.map((value) => ({ type: 2 as const, value })), ...names.ips.map((ip) => ({ type: 7 as const, ip }))] },
    ],
  });
  return { cert: pems.cert, key: pems.private };
}
