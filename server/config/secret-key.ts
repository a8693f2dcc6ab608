/**
 * The key that seals stored secrets: SWITCHYARD_SECRET_KEY, or a key file generated at first start
 * in SWITCHYARD_DATA (mode 0600), never in the database. At start it is checked against what the
 * database holds, so a wrong or lost key stops the server with a message instead of garbage later.
 */
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import type { SettingsRepo } from "../db/repos/settings-repo";
import { isSecretSetting } from "../core/sealed-settings";
import { SECRET_KEY_BYTES, SECRET_KEY_FORMAT, SecretBoxError, isSealed, keyIdOf, sealedKeyId, secretKeyFromText, type SecretBox } from "../core/secret-box";
import { ConfigError } from "./env";

export const SECRET_KEY_FILE = "secret.key";
const CHECK_SETTING = "secret_key_check";

export interface LoadedSecretKey {
  key: Buffer;
  /** Where it came from, for messages. */
  source: "env" | "file";
  file: string | null;
  /** This start generated the key file. */
  created: boolean;
}

function parseSecretKey(text: string, where: string): Buffer {
  const key = secretKeyFromText(text);
  if (!key) throw new ConfigError(`${where}: ${SECRET_KEY_FORMAT}`);
  return key;
}

export function loadSecretKey(envValue: string | undefined, dataDir: string): LoadedSecretKey {
  if (envValue !== undefined) return { key: parseSecretKey(envValue, "SWITCHYARD_SECRET_KEY"), source: "env", file: null, created: false };
  const file = path.join(dataDir, SECRET_KEY_FILE);
  let text: string | null = null;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") {
      throw new ConfigError(`${file}: cannot read the secret key (${(err as NodeJS.ErrnoException).code}): fix its permissions or set SWITCHYARD_SECRET_KEY`);
    }
  }
  if (text !== null) return { key: parseSecretKey(text, file), source: "file", file, created: false };
  const key = randomBytes(SECRET_KEY_BYTES);
  fs.writeFileSync(file, `${key.toString("hex")}\n`, { mode: 0o600, flag: "wx" });
  return { key, source: "file", file, created: true };
}

/**
 * Opens the database's check value (or, before there is one, any sealed secret) with the key. A
 * key file made by this very start is removed again when it does not match, so that restoring the
 * right one is all it takes.
 */
export async function verifySecretKey(settings: SettingsRepo, box: SecretBox, loaded: LoadedSecretKey): Promise<void> {
  const check = await settings.get(CHECK_SETTING);
  const sample = check ?? (await settings.entries()).find((e) => isSecretSetting(e.key) && isSealed(e.value))?.value ?? null;
  if (sample !== null) {
    try {
      box.open(sample);
    } catch (err) {
      if (!(err instanceof SecretBoxError)) throw err;
      if (loaded.created && loaded.file) fs.rmSync(loaded.file, { force: true });
      throw new ConfigError(mismatchMessage(loaded, sealedKeyId(sample) ?? "unknown"));
    }
  }
  if (check === null) await settings.set(CHECK_SETTING, box.seal("switchyard"));
}

function mismatchMessage(loaded: LoadedSecretKey, sealedWith: string): string {
  const mine = keyIdOf(loaded.key);
  if (loaded.source === "env") {
    return `SWITCHYARD_SECRET_KEY (key ${mine}) is not the key this database's secrets were sealed with (key ${sealedWith}). `
      + "Servers that share a database must be given the same SWITCHYARD_SECRET_KEY: set the one it was started with before.";
  }
  if (loaded.created) {
    return `This database's secrets were sealed with key ${sealedWith}, but ${path.dirname(loaded.file!)} has no ${SECRET_KEY_FILE} `
      + `(lost, or the database was copied here without it). Put the original ${SECRET_KEY_FILE} back there, or set SWITCHYARD_SECRET_KEY to that key.`;
  }
  return `${loaded.file} (key ${mine}) is not the key this database's secrets were sealed with (key ${sealedWith}): `
    + `restore the matching ${SECRET_KEY_FILE}, or set SWITCHYARD_SECRET_KEY to that key.`;
}
