/**
 * DbHandle.transaction on each backend. The SQLite case is the delicate one: one connection, an
 * async body. Work from elsewhere that runs while a transaction is open must neither land inside
 * it (and vanish with its rollback) nor break it; two transactions at once must take turns.
 */
import { eq } from "drizzle-orm";
import { beforeEach, describe, expect, it } from "vitest";
import type { DbHandle } from "../../../server/db/client";
import { settingsRepo } from "../../../server/db/repos/settings-repo";
import { skipReason, useDatabases, type TestBackend } from "../../helpers/databases";

const BACKENDS: TestBackend[] = ["sqlite-memory", "sqlite-file", "postgres"];

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

for (const backend of BACKENDS) {
  describe.skipIf(skipReason(backend))(`transactions on ${backend}`, () => {
    const databases = useDatabases(backend);
    let handle: DbHandle;
    const value = (key: string) => settingsRepo(handle).get(key);
    beforeEach(async () => {
      handle = await databases.open();
    });

    it("commits when the work resolves, and returns its result", async () => {
      const { settings } = handle.schema;
      const result = await handle.transaction(async (tx) => {
        await tx.insert(settings).values({ key: "a", value: "1" });
        await tx.update(settings).set({ value: "2" }).where(eq(settings.key, "a"));
        return (await tx.select().from(settings)).length;
      });
      expect(result).toBe(1);
      expect(await value("a")).toBe("2");
    });

    it("rolls back everything when the work throws, and passes the error on", async () => {
      const { settings } = handle.schema;
      await expect(handle.transaction(async (tx) => {
        await tx.insert(settings).values({ key: "a", value: "1" });
        await tx.insert(settings).values({ key: "a", value: "duplicate" }); // primary key violation
      })).rejects.toThrow();
      expect(await value("a")).toBeNull();
      await expect(handle.transaction(async (tx) => {
        await tx.insert(settings).values({ key: "b", value: "1" });
        throw new Error("changed my mind");
      })).rejects.toThrow("changed my mind");
      expect(await value("b")).toBeNull();
    });

    it("keeps a write made elsewhere during an open transaction out of it: it survives the rollback", async () => {
      const { settings } = handle.schema;
      const opened = deferred();
      const finish = deferred();
      const tx = handle.transaction(async (t) => {
        await t.insert(settings).values({ key: "inside", value: "1" });
        opened.resolve();
        await finish.promise;
        throw new Error("roll back");
      });
      await opened.promise;
      const outside = settingsRepo(handle).set("outside", "1"); // another request, mid-transaction
      const outsideRead = settingsRepo(handle).get("inside");
      finish.resolve();
      await expect(tx).rejects.toThrow("roll back");
      await outside;
      expect(await outsideRead).toBeNull(); // never saw the uncommitted row
      expect(await value("outside")).toBe("1");
      expect(await value("inside")).toBeNull();
    });

    it("makes db.transaction() the same safe transaction", async () => {
      const { settings } = handle.schema;
      const opened = deferred();
      const finish = deferred();
      const tx = handle.db.transaction(async (t) => {
        await t.insert(settings).values({ key: "inside", value: "1" });
        opened.resolve();
        await finish.promise;
        throw new Error("roll back");
      });
      await opened.promise;
      const outside = settingsRepo(handle).set("outside", "1");
      finish.resolve();
      await expect(tx).rejects.toThrow("roll back");
      await outside;
      expect([await value("inside"), await value("outside")]).toEqual([null, "1"]);
    });

    it("runs transactions started together without mixing them up", async () => {
      const { settings } = handle.schema;
      const results = await Promise.allSettled(["a", "b", "c", "d"].map((k, i) => handle.transaction(async (tx) => {
        await tx.insert(settings).values({ key: k, value: "1" });
        await new Promise((r) => setTimeout(r, 5));
        await tx.update(settings).set({ value: "2" }).where(eq(settings.key, k));
        if (i === 1) throw new Error("b fails");
      })));
      expect(results.map((r) => r.status)).toEqual(["fulfilled", "rejected", "fulfilled", "fulfilled"]);
      expect(await Promise.all(["a", "b", "c", "d"].map(value))).toEqual(["2", null, "2", "2"]);
    });

    it("nests with tx.transaction: an inner rollback leaves the outer work", async () => {
      const { settings } = handle.schema;
      await handle.transaction(async (tx) => {
        await tx.insert(settings).values({ key: "outer", value: "1" });
        await expect(tx.transaction(async (inner) => {
          await inner.insert(settings).values({ key: "inner", value: "1" });
          throw new Error("inner fails");
        })).rejects.toThrow("inner fails");
      });
      expect(await value("outer")).toBe("1");
      expect(await value("inner")).toBeNull();
    });
  });
}
