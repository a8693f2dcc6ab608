import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { installCommand } from "../../../protocol/enrollment";
import { InstallScriptError, renderInstallScript, requestOrigin } from "../../../server/agent-dist/install-script";

const SHA = "a".repeat(64);
const FP = `sha256:${"b".repeat(64)}`;
const PIN = "sha256//UA3MBMvbcW+O4kL6I/KR0Si0aCsoU7CuU3mJDgcfMAw=";

describe("renderInstallScript", () => {
  it("fills in the serving server, the bundle's SHA-256 and the TLS pins, and stays valid sh", () => {
    const script = renderInstallScript({ serverUrl: "https://10.0.0.5:3000", bundleSha256: SHA, fingerprint: FP, curlPin: PIN });
    expect(script).toContain("SERVED_BY='https://10.0.0.5:3000'");
    expect(script).toContain(`BUNDLE_SHA256='${SHA}'`);
    expect(script).toContain(`SERVER_FINGERPRINT='${FP}'`);
    expect(script).toContain(`SERVER_CURL_PIN='${PIN}'`);
    expect(script).not.toContain("@@");
    // Plain ASCII: the box's shell and terminal may run in the C locale.
    expect(script).toMatch(/^[\x00-\x7f]*$/);
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "sy-install-")), "install.sh");
    fs.writeFileSync(file, script);
    expect(spawnSync("sh", ["-n", file]).status).toBe(0);
  });

  it("leaves the pins empty over plain HTTP", () => {
    const script = renderInstallScript({ serverUrl: "http://gpu-server:3000", bundleSha256: SHA, fingerprint: null, curlPin: null });
    expect(script).toContain("SERVER_FINGERPRINT=''");
    expect(script).toContain("SERVER_CURL_PIN=''");
  });

  it.each([
    ["http://x';touch /tmp/p;'"],
    ["http://x$(id)"],
    ["http://a b"],
    ["file:///etc/passwd"],
  ])("refuses a server address that is not a plain origin: %s", (serverUrl) => {
    expect(() => renderInstallScript({ serverUrl, bundleSha256: SHA, fingerprint: null, curlPin: null })).toThrow(InstallScriptError);
  });
});

describe("requestOrigin", () => {
  it.each([
    ["10.0.0.5:3000", false, undefined, "http://10.0.0.5:3000"],
    ["gpu.lan", true, undefined, "https://gpu.lan"],
    ["[fe80::1]:3000", false, "https", "https://[fe80::1]:3000"],
    ["gpu.lan:3000", false, "https, http", "https://gpu.lan:3000"],
  ] as const)("%s (tls %s, proxy %s) → %s", (host, tls, proto, expected) => expect(requestOrigin(host, tls, proto)).toBe(expected));

  it.each([[undefined], [""], ["evil';rm -rf /;'"], ["a:3000/x"], ["$(id)"], ["x".repeat(300)]])("refuses the Host header %j", (host) => {
    expect(requestOrigin(host, false, undefined)).toBeNull();
  });
});

describe("installCommand", () => {
  it("over HTTP: fetch and run, with the token and name", () => {
    expect(installCommand({ serverUrl: "http://10.0.0.5:3000/", token: "syj_abc", name: "box1" }))
      .toBe("curl -fsSL http://10.0.0.5:3000/agent/install.sh | sudo sh -s -- --token syj_abc --name box1");
  });

  it("over the server's own TLS: curl pins the key, the agent pins the certificate", () => {
    expect(installCommand({ serverUrl: "https://10.0.0.5:3000", token: "syj_abc", fingerprint: FP, curlPin: PIN }))
      .toBe(`curl -fsSL --insecure --pinnedpubkey '${PIN}' https://10.0.0.5:3000/agent/install.sh | sudo sh -s -- --token syj_abc --fingerprint ${FP}`);
  });
});
