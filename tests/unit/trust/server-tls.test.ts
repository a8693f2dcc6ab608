import { X509Certificate } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import tls from "node:tls";
import pino from "pino";
import { describe, expect, it } from "vitest";
import { fingerprintOf } from "../../../lib/tls-pin";
import { ConfigError, loadEnv } from "../../../server/config/env";
import { loadServerTls } from "../../../server/tls/server-tls";
import { makeSelfSigned } from "../../../server/tls/self-signed";

const log = pino({ level: "silent" });
const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), "sy-tls-"));
/** loadEnv over just these variables (ProcessEnv's type insists on NODE_ENV). */
const envOf = (vars: Record<string, string>) => loadEnv(vars as unknown as NodeJS.ProcessEnv);
const mode = (p: string) => (fs.statSync(p).mode & 0o777).toString(8);

describe("loadServerTls", () => {
  it("serves plain HTTP unless asked", async () => {
    expect(await loadServerTls(envOf({ SWITCHYARD_DATA: tmp() }), log)).toBeNull();
    expect(await loadServerTls(envOf({ SWITCHYARD_DATA: tmp(), SWITCHYARD_TLS: "off" }), log)).toBeNull();
  });

  it("self-signed: makes a certificate once, key and certificate 0600 in a 0700 folder, and keeps it (the pin stays valid)", async () => {
    const data = tmp();
    const env = envOf({ SWITCHYARD_DATA: data, SWITCHYARD_TLS: "self-signed" });
    const first = (await loadServerTls(env, log))!;
    expect(first.source).toBe("self-signed");
    expect(first.fingerprint).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(first.fingerprint).toBe(fingerprintOf(new X509Certificate(first.cert).raw));
    expect(first.curlPin).toMatch(/^sha256\/\/[A-Za-z0-9+/]{43}=$/);
    expect(mode(path.join(data, "tls"))).toBe("700");
    expect(mode(path.join(data, "tls", "key.pem"))).toBe("600");
    expect(mode(path.join(data, "tls", "cert.pem"))).toBe("600");
    const cert = new X509Certificate(first.cert);
    expect(cert.subjectAltName).toContain("IP Address:127.0.0.1");
    expect(cert.subjectAltName).toContain("DNS:localhost");
    expect(Date.parse(cert.validTo) - Date.now()).toBeGreaterThan(9 * 365 * 24 * 3600 * 1000);
    const again = (await loadServerTls(env, log))!;
    expect(again.fingerprint).toBe(first.fingerprint);
  });

  it("own files: serves them, and says which file is wrong", async () => {
    const dir = tmp();
    const a = await makeSelfSigned({ dns: ["gpu.lan"], ips: [] });
    const b = await makeSelfSigned({ dns: ["other"], ips: [] });
    fs.writeFileSync(path.join(dir, "a.crt"), a.cert);
    fs.writeFileSync(path.join(dir, "a.key"), a.key, { mode: 0o600 });
    fs.writeFileSync(path.join(dir, "b.key"), b.key, { mode: 0o600 });
    fs.writeFileSync(path.join(dir, "junk.crt"), "not a certificate");
    const env = (cert: string, key: string) => envOf({ SWITCHYARD_DATA: dir, SWITCHYARD_TLS_CERT: path.join(dir, cert), SWITCHYARD_TLS_KEY: path.join(dir, key) });

    const ok = (await loadServerTls(env("a.crt", "a.key"), log))!;
    expect(ok.source).toBe("files");
    expect(() => tls.createSecureContext({ cert: ok.cert, key: ok.key })).not.toThrow();

    await expect(loadServerTls(env("a.crt", "b.key"), log)).rejects.toThrow(/b\.key does not go with the certificate .*a\.crt/);
    await expect(loadServerTls(env("junk.crt", "a.key"), log)).rejects.toThrow(/junk\.crt is not a PEM certificate/);
    await expect(loadServerTls(env("missing.crt", "a.key"), log)).rejects.toThrow(/SWITCHYARD_TLS_CERT: cannot read .*missing\.crt \(ENOENT\)/);
    await expect(loadServerTls(env("a.crt", "b.key"), log)).rejects.toBeInstanceOf(ConfigError);
  });

  it("a kept certificate whose key is gone stops the start instead of silently changing the pin", async () => {
    const data = tmp();
    const env = envOf({ SWITCHYARD_DATA: data, SWITCHYARD_TLS: "self-signed" });
    await loadServerTls(env, log);
    fs.rmSync(path.join(data, "tls", "key.pem"));
    await expect(loadServerTls(env, log)).rejects.toThrow(/key .*key\.pem is missing: restore the key, or delete .*cert\.pem/);
  });
});

describe("TLS settings in the environment", () => {
  it.each([
    [{ SWITCHYARD_TLS_CERT: "/x.crt" }, /SWITCHYARD_TLS_KEY: SWITCHYARD_TLS_CERT and SWITCHYARD_TLS_KEY go together/],
    [{ SWITCHYARD_TLS_KEY: "/x.key" }, /SWITCHYARD_TLS_CERT: SWITCHYARD_TLS_CERT and SWITCHYARD_TLS_KEY go together/],
    [{ SWITCHYARD_TLS: "self-signed", SWITCHYARD_TLS_CERT: "/x.crt", SWITCHYARD_TLS_KEY: "/x.key" }, /either SWITCHYARD_TLS or SWITCHYARD_TLS_CERT/],
    [{ SWITCHYARD_TLS: "yes" }, /SWITCHYARD_TLS: must be 'self-signed'/],
  ])("%j is refused with a reason", (vars, message) => {
    expect(() => envOf(vars)).toThrow(message);
  });
});
