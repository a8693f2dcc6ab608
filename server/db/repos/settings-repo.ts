import { eq } from "drizzle-orm";
import type { DbHandle } from "../client";

export interface SettingsRepo {
  get(key: string): Promise<string | null>;
  /** Returns the stored value, or stores and returns `make()` when the key is absent. */
  getOrCreate(key: string, make: () => string): Promise<string>;
  set(key: string, value: string): Promise<void>;
  /** Every key and value (start-up migrations walk them). */
  entries(): Promise<Array<{ key: string; value: string }>>;
}

export function settingsRepo({ db, schema: { settings } }: DbHandle): SettingsRepo {
  const get = async (key: string) =>
    (await db.select({ value: settings.value }).from(settings).where(eq(settings.key, key)).limit(1))[0]?.value ?? null;
  return {
    get,
    async getOrCreate(key, make) {
      const existing = await get(key);
      if (existing !== null) return existing;
      const value = make();
      await db.insert(settings).values({ key, value }).onConflictDoNothing();
      return (await get(key)) ?? value;
    },
    async set(key, value) {
      await db.insert(settings).values({ key, value }).onConflictDoUpdate({ target: settings.key, set: { value } });
    },
    entries: async () => db.select({ key: settings.key, value: settings.value }).from(settings),
  };
}
