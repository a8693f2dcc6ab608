/**
 * Opens what the server keeps at rest, owner-only and sealed: the data directory (tightened when an
 * earlier version left it readable), the secret key (checked against the database), the database,
 * and the settings with their secrets sealed (those stored in clear by an earlier version are
 * sealed now, and the file rewritten so no page of it keeps the plain values).
 */
import type { Logger } from "../../lib/logger";
import { sealPlaintextSecrets, sealedSettings } from "../core/sealed-settings";
import { createSecretBox, type SecretBox } from "../core/secret-box";
import { openDatabase, type DbHandle } from "../db/client";
import { settingsRepo, type SettingsRepo } from "../db/repos/settings-repo";
import { secureDataDir } from "./data-dir";
import type { ServerEnv } from "./env";
import { loadSecretKey, verifySecretKey } from "./secret-key";

export interface Storage {
  dbHandle: DbHandle;
  box: SecretBox;
  /** Settings whose secrets are sealed on the way in and opened on the way out. */
  settings: SettingsRepo;
}

export async function openStorage(env: ServerEnv, log: Logger): Promise<Storage> {
  // Everything the server writes from here on (database, key file, caches) is owner-only.
  process.umask(0o077);
  const tightened = secureDataDir(env.dataDir);
  if (tightened.changed.length > 0) {
    log.warn({ dataDir: env.dataDir, paths: tightened.changed.slice(0, 20), count: tightened.changed.length }, "data directory was readable by other users: made it owner-only (0700 folders, 0600 files)");
  }
  if (tightened.shared) log.warn({ dataDir: env.dataDir }, "the data directory is shared with other users or programs (like /tmp): its own permissions are left alone; give SWITCHYARD_DATA a directory of its own");
  if (tightened.failed.length > 0) log.warn({ paths: tightened.failed.slice(0, 20) }, "could not make these data directory paths owner-only: fix their owner or mode");
  const secretKey = loadSecretKey(env.SWITCHYARD_SECRET_KEY, env.dataDir);
  const dbHandle = await openDatabase({ dataDir: env.dataDir, databaseUrl: env.SWITCHYARD_DATABASE_URL });
  const box = createSecretBox(secretKey.key);
  const raw = settingsRepo(dbHandle);
  try {
    await verifySecretKey(raw, box, secretKey);
  } catch (err) {
    await dbHandle.close();
    throw err;
  }
  const newlySealed = await sealPlaintextSecrets(raw, box);
  if (newlySealed.length > 0) {
    await dbHandle.scrub();
    log.info({ settings: newlySealed }, "sealed secrets an earlier version stored in clear");
  }
  return { dbHandle, box, settings: sealedSettings(raw, box) };
}
