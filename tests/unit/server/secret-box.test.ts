import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError, loadEnv } from "../../../server/config/env";
import { loadSecretKey, verifySecretKey } from "../../../server/config/secret-key";
import { secureDataDir } from "../../../server/config/data-dir";
import { createSecretBox, isSealed, secretKeyFromText } from "../../../server/core/secret-box";
import { sealPlaintextSecrets, sealedSettings } from "../../../server/core/sealed-settings";
import { createSecrets } from "../../../server/core/secrets";
import { openMemoryDatabase } from "../../../server/db/client";
import { settingsRepo } from "../../../server/db/repos/settings-repo";

const KEY_A = Buffer.alloc(32, 1);
const KEY_B = Buffer.alloc(32, 2);
const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), "switchyard-secret-"));

describe("secret box", () => {
  it("seals with a fresh IV each time and opens only with its own key, untampered", () => {
    const a = createSecretBox(KEY_A);
    const s1 = a.seal("hf_secret");
    const s2 = a.seal("hf_secret");
    expect(s1).not.toBe(s2);
    expect(s1).not.toContain("hf_secret");
    expect(isSealed(s1)).toBe(true);
    expect(a.open(s1)).toBe("hf_secret");
    expect(a.open(a.seal(""))).toBe("");
    expect(() => createSecretBox(KEY_B).open(s1)).toThrow(/sealed with key [0-9a-f]{8}, not with this server's key/);
    const body = s1.slice(s1.lastIndexOf(".") + 1);
    const flipped = `${s1.slice(0, s1.lastIndexOf(".") + 1)}${body[0] === "A" ? "B" : "A"}${body.slice(1)}`;
    expect(() => a.open(flipped)).toThrow(/does not open with this key/);
    expect(() => a.open("plain")).toThrow(/not a sealed value/);
  });

  it("takes keys as 64 hex digits or base64, and nothing else", () => {
    expect(secretKeyFromText("01".repeat(32))).toEqual(KEY_A);
    expect(secretKeyFromText(KEY_A.toString("base64"))).toEqual(KEY_A);
    expect(secretKeyFromText(KEY_A.toString("base64url"))).toEqual(KEY_A);
    for (const bad of ["", "short", "01".repeat(31), "zz".repeat(32), "a passphrase that is long enough to be a key maybe"]) {
      expect(secretKeyFromText(bad), bad).toBeNull();
    }
    expect(() => loadEnv({ ...process.env, SWITCHYARD_SECRET_KEY: "hunter2" })).toThrow(/SWITCHYARD_SECRET_KEY: must be 32 random bytes .*openssl rand -hex 32/);
  });
});

describe("sealed settings", () => {
  it("keeps secrets sealed in the table and plain for their users; migrates ones stored in clear", async () => {
    const db = openMemoryDatabase();
    const raw = settingsRepo(db);
    await raw.set("secret.hf_token", "hf_old_plain");
    await raw.set("agent_token", "syg_old_plain");
    await raw.set("session_key", "deadbeef");
    await raw.set("admin_token_sha256", "abc");
    const box = createSecretBox(KEY_A);
    expect((await sealPlaintextSecrets(raw, box)).sort()).toEqual(["agent_token", "secret.hf_token", "session_key"]);
    expect(await sealPlaintextSecrets(raw, box)).toEqual([]);
    const sealed = sealedSettings(raw, box);
    const secrets = createSecrets(sealed);
    expect(await secrets.hfToken()).toBe("hf_old_plain");
    await secrets.setDeploymentApiKey("d1", "sk-engine");
    expect(await secrets.deploymentApiKey("d1")).toBe("sk-engine");
    await secrets.setHfToken(null);
    expect(await secrets.status()).toEqual({ hfToken: false });
    expect(await sealed.getOrCreate("agent_token", () => "new")).toBe("syg_old_plain");
    const everything = JSON.stringify(await raw.entries());
    for (const plain of ["hf_old_plain", "syg_old_plain", "sk-engine", "deadbeef"]) expect(everything).not.toContain(plain);
    expect(await raw.get("admin_token_sha256")).toBe("abc");
  });
});

describe("secret key at start", () => {
  it("generates a 0600 key file once, and keeps using it", () => {
    const dir = tmp();
    const first = loadSecretKey(undefined, dir);
    expect(first).toMatchObject({ source: "file", created: true });
    expect(fs.statSync(first.file!).mode & 0o777).toBe(0o600);
    const again = loadSecretKey(undefined, dir);
    expect(again.created).toBe(false);
    expect(again.key).toEqual(first.key);
    fs.writeFileSync(first.file!, "garbage\n");
    expect(() => loadSecretKey(undefined, dir)).toThrow(ConfigError);
  });

  it("refuses to start with a key that does not open the database's secrets, saying what to do", async () => {
    const db = openMemoryDatabase();
    const raw = settingsRepo(db);
    const env = (key: Buffer) => ({ key, source: "env" as const, file: null, created: false });
    await verifySecretKey(raw, createSecretBox(KEY_A), env(KEY_A));
    await verifySecretKey(raw, createSecretBox(KEY_A), env(KEY_A));
    await expect(verifySecretKey(raw, createSecretBox(KEY_B), env(KEY_B))).rejects.toThrow(/SWITCHYARD_SECRET_KEY \(key \w+\) is not the key this database's secrets were sealed with .*same SWITCHYARD_SECRET_KEY/);
    // A key file made by this very start (the original was lost) is taken back, with the way out.
    const dir = tmp();
    const made = loadSecretKey(undefined, dir);
    await expect(verifySecretKey(raw, createSecretBox(made.key), made)).rejects.toThrow(/has no secret\.key .*Put the original secret\.key back/);
    expect(fs.existsSync(made.file!)).toBe(false);
  });
});

describe("data directory", () => {
  it("makes an existing directory and the server's files in it owner-only, keeping owner bits, and says what it changed", () => {
    const dir = tmp();
    fs.chmodSync(dir, 0o755);
    fs.writeFileSync(path.join(dir, "switchyard.db"), "x", { mode: 0o644 });
    fs.writeFileSync(path.join(dir, "secret.key"), "x", { mode: 0o600 });
    fs.mkdirSync(path.join(dir, "hf-cache"), { mode: 0o755 });
    fs.writeFileSync(path.join(dir, "hf-cache", "c.json"), "{}", { mode: 0o664 });
    fs.symlinkSync("/etc", path.join(dir, "hf-cache", "link"));
    fs.writeFileSync(path.join(dir, "notes.txt"), "", { mode: 0o644 }); // the user's own: left alone
    const r = secureDataDir(dir);
    expect(r).toMatchObject({ shared: false, truncated: false, failed: [] });
    expect(r.changed.sort()).toEqual([".", "hf-cache", "hf-cache/c.json", "switchyard.db"]);
    const mode = (p: string) => fs.statSync(path.join(dir, p)).mode & 0o777;
    expect([mode("."), mode("switchyard.db"), mode("secret.key"), mode("hf-cache"), mode("hf-cache/c.json"), mode("notes.txt")]).toEqual([0o700, 0o600, 0o600, 0o700, 0o600, 0o644]);
    expect(fs.statSync("/etc").mode & 0o777).toBe(0o755); // links are not followed
    expect(secureDataDir(dir).changed).toEqual([]);
    const fresh = path.join(tmp(), "new");
    secureDataDir(fresh);
    expect(fs.statSync(fresh).mode & 0o777).toBe(0o700);
  });

  it("leaves a shared directory's own mode and everything not the server's alone (SWITCHYARD_DATA=/tmp)", () => {
    // A stand-in for /tmp (sticky, writable by all), so the test never touches the real one.
    const shared = tmp();
    fs.chmodSync(shared, 0o1777);
    fs.writeFileSync(path.join(shared, "someone-else.log"), "", { mode: 0o644 });
    fs.mkdirSync(path.join(shared, "their-folder"), { mode: 0o755 });
    fs.writeFileSync(path.join(shared, "switchyard.db"), "x", { mode: 0o644 });
    const r = secureDataDir(shared);
    expect(r.shared).toBe(true);
    expect(r.changed).toEqual(["switchyard.db"]);
    const mode = (p: string) => fs.statSync(path.join(shared, p)).mode & 0o7777;
    expect([mode("."), mode("someone-else.log"), mode("their-folder"), mode("switchyard.db")]).toEqual([0o1777, 0o644, 0o755, 0o600]);
  });
});
