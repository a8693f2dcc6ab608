/**
 * Secrets the server hands to nodes (the Hugging Face token) and the API keys deployments were
 * started with (the gateway sends them to the engine; a redeploy needs them again). Stored in the
 * settings table, sent only inside deploy requests and to the engine itself, never returned by the
 * API, never logged.
 */
import type { SettingsRepo } from "../db/repos/settings-repo";

const HF_TOKEN_KEY = "secret.hf_token";
const deploymentKeyOf = (id: string) => `secret.deployment_api_key.${id}`;

export interface Secrets {
  hfToken(): Promise<string | null>;
  setHfToken(value: string | null): Promise<void>;
  /** The API key deployment `id` was started with (its engine requires it), or null. */
  deploymentApiKey(id: string): Promise<string | null>;
  /** Stores it, or forgets it (null) once the deployment is stopped and removed. */
  setDeploymentApiKey(id: string, value: string | null): Promise<void>;
  /** What the API may say: whether each secret is set, never its value. */
  status(): Promise<{ hfToken: boolean }>;
}

export function createSecrets(settings: SettingsRepo): Secrets {
  const get = async (key: string) => {
    const v = await settings.get(key);
    return v ? v : null;
  };
  const read = () => get(HF_TOKEN_KEY);
  return {
    hfToken: read,
    setHfToken: (value) => settings.set(HF_TOKEN_KEY, value ?? ""),
    // The settings table has no delete: an empty value is "not set", as for the HF token.
    deploymentApiKey: (id) => get(deploymentKeyOf(id)),
    setDeploymentApiKey: (id, value) => settings.set(deploymentKeyOf(id), value ?? ""),
    status: async () => ({ hfToken: (await read()) !== null }),
  };
}
