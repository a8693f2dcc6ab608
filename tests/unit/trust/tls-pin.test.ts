import { describe, expect, it } from "vitest";
import { explainUntrustedServer, FingerprintFormatError, parseFingerprint } from "../../../lib/tls-pin";

const HEX = "3e16dfbcc71fae786853bbd31a5637b3376da1723d13f4fdd132f52e02c6ce8f";
const COLONS = HEX.toUpperCase().match(/../g)!.join(":");

describe("parseFingerprint", () => {
  it.each([
    [`sha256:${HEX}`],
    [`SHA256:${HEX.toUpperCase()}`],
    [COLONS],
    [`sha256 Fingerprint=${COLONS}`],          // openssl x509 -fingerprint -sha256 (OpenSSL 3)
    [`SHA256 Fingerprint=${COLONS}`],
    [`sha256:${COLONS}`],
    [`  sha256:${HEX}\n`],
  ])("reads %s", (input) => expect(parseFingerprint(input)).toBe(`sha256:${HEX}`));

  it.each([
    ["", /0 hex digits/],
    [HEX.slice(0, 40), /40 hex digits/],                               // a SHA-1
    [`sha1:${HEX}`, /is not a SHA-256 fingerprint/],
    [`sha256:${HEX}00`, /66 hex digits/],
    [`sha256:${HEX.slice(0, 62)}zz`, /is not a SHA-256/],
    [COLONS.slice(3), /is not a SHA-256/],
    ["x".repeat(5000), /too long/],
  ])("refuses %j with a reason", (input, message) => {
    expect(() => parseFingerprint(input)).toThrow(FingerprintFormatError);
    expect(() => parseFingerprint(input)).toThrow(message);
  });
});

describe("explainUntrustedServer", () => {
  it("turns a self-signed refusal (also as fetch's cause) into what to pass", () => {
    const err = Object.assign(new Error("self-signed certificate"), { code: "DEPTH_ZERO_SELF_SIGNED_CERT" });
    const text = explainUntrustedServer(new TypeError("fetch failed", { cause: err }), "https://gpu:3000", "--fingerprint sha256:…");
    expect(text).toMatch(/https:\/\/gpu:3000 is not trusted \(self-signed certificate\)/);
    expect(text).toMatch(/--fingerprint sha256:…/);
  });

  it("leaves other errors alone", () => {
    expect(explainUntrustedServer(Object.assign(new Error("refused"), { code: "ECONNREFUSED" }), "https://x", "--fingerprint")).toBeNull();
  });
});
