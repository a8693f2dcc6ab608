/**
 * The settings that are secrets (the enrollment token, the HF token, engine API keys: everything a
 * copy of the database must not reveal) go through the SecretBox on their way in and out. Callers
 * (auth, secrets) keep using a plain SettingsRepo; the composition root hands them this one.
 */
import type { SettingsRepo } from "../db/repos/settings-repo";
import { isSealed, type SecretBox } from "./secret-box";

/** Which settings keys hold secrets. Hashes (the admin token's) and public values stay as they are. */
export function isSecretSetting(key: string): boolean {
  return key === "agent_token" || key.startsWith("secret.");
}

/** An empty value means "not set" for secrets (the settings table has no delete): it stays empty. */
export function sealedSettings(inner: SettingsRepo, box: SecretBox): SettingsRepo {
  const seal = (key: string, value: string) => (isSecretSetting(key) && value !== "" ? box.seal(value) : value);
  const open = (key: string, value: string | null) => (value && isSecretSetting(key) && isSealed(value) ? box.open(value) : value);
  return {
    get: async (key) => open(key, await inner.get(key)),
    getOrCreate: async (key, make) => open(key, await inner.getOrCreate(key, () => seal(key, make())))!,
    set: (key, value) => inner.set(key, seal(key, value)),
    entries: async () => (await inner.entries()).map(({ key, value }) => ({ key, value: open(key, value)! })),
  };
}

/** Secrets earlier versions kept that nothing reads any more (the key of the stateless session cookies). */
const RETIRED = new Set(["session_key"]);

/**
 * Seals secrets stored in clear by earlier versions; returns the keys it sealed. Idempotent: values
 * already sealed are left alone.
 */
export async function sealPlaintextSecrets(inner: SettingsRepo, box: SecretBox): Promise<string[]> {
  const sealed: string[] = [];
  for (const { key, value } of await inner.entries()) {
    if (RETIRED.has(key) && value !== "") {
      await inner.set(key, "");
      sealed.push(key);
      continue;
    }
    if (!isSecretSetting(key) || value === "" || isSealed(value)) continue;
    await inner.set(key, box.seal(value));
    sealed.push(key);
  }
  return sealed;
}
