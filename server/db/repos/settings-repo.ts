import { eq } from "drizzle-orm";
import type { Db } from "../client";
import { settings } from "../schema";

export interface SettingsRepo {
  get(key: string): Promise<string | null>;
  /** Returns the stored value, or stores and returns `make()` when the key is absent. */
  getOrCreate(key: string, make: () => string): Promise<string>;
  set(key: string, value: string): Promise<void>;
}

export function settingsRepo(db: Db): SettingsRepo {
  const get = async (key: string) =>
    db.select({ value: settings.value }).from(settings).where(eq(settings.key, key)).get()?.value ?? null;
  return {
    get,
    async getOrCreate(key, make) {
      const existing = await get(key);
      if (existing !== null) return existing;
      const value = make();
      db.insert(settings).values({ key, value }).onConflictDoNothing().run();
      return (await get(key)) ?? value;
    },
    async set(key, value) {
      db.insert(settings).values({ key, value }).onConflictDoUpdate({ target: settings.key, set: { value } }).run();
    },
  };
}
