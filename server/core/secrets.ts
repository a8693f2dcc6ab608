/**
 * Secrets the server hands to nodes (the Hugging Face token). Stored in the settings table, sent
 * only inside deploy requests, never returned by the API, never logged.
 */
import type { SettingsRepo } from "../db/repos/settings-repo";

const HF_TOKEN_KEY = "secret.hf_token";

export interface Secrets {
  hfToken(): Promise<string | null>;
  setHfToken(value: string | null): Promise<void>;
  /** What the API may say: whether each secret is set, never its value. */
  status(): Promise<{ hfToken: boolean }>;
}

export function createSecrets(settings: SettingsRepo): Secrets {
  const read = async () => {
    const v = await settings.get(HF_TOKEN_KEY);
    return v ? v : null;
  };
  return {
    hfToken: read,
    setHfToken: (value) => settings.set(HF_TOKEN_KEY, value ?? ""),
    status: async () => ({ hfToken: (await read()) !== null }),
  };
}
