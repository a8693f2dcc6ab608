import { afterEach, describe, expect, it } from "vitest";
import { openMemoryDatabase, type DbHandle } from "../../../server/db/client";
import { gatewayRepo, type GatewayRepo } from "../../../server/db/repos/gateway-repo";
import { KeyStore, hashKey, keyPrefix, newKey } from "../../../server/core/gateway/key-store";
import { presentedKey } from "../../../server/gateway/auth/presented-key";

let handle: DbHandle;
afterEach(() => handle?.close());

async function store(configKeys: Array<{ name: string; key: string; models?: string[] }> = [], wrap: (r: GatewayRepo) => GatewayRepo = (r) => r) {
  handle = openMemoryDatabase();
  const repo = gatewayRepo(handle);
  const keys = new KeyStore(wrap(repo), (t) => t === "admin-token-123");
  await keys.load(configKeys);
  return { keys, repo };
}

describe("gateway API keys", () => {
  it("hashes with sha256 (hex)", () => {
    expect(hashKey("abc")).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  });

  it("reads Bearer and x-api-key", () => {
    expect(presentedKey({ authorization: "Bearer sk-1" })).toBe("sk-1");
    expect(presentedKey({ authorization: "bearer  sk-2 " })).toBe("sk-2");
    expect(presentedKey({ "x-api-key": "sk-3" })).toBe("sk-3");
    expect(presentedKey({})).toBeNull();
  });

  // The list used to show the first 10 characters of any key: most of a short config-file key.
  it("lists a key by its fixed marker and last 4 characters, or at most a quarter of a foreign key", () => {
    const ours = newKey();
    expect(keyPrefix(ours)).toBe(`sk-sy-…${ours.slice(-4)}`);
    expect(keyPrefix("sk-example-123")).toBe("s…23");
    expect(keyPrefix("sk-ant-api03-abcdefghijklmnopqrstuvwxyz0123456789")).toBe("sk-…6789");
    expect(keyPrefix("abc")).toBe("…");
    for (const key of ["sk-example-123", "short-key", "sk-test-gateway-key-1", "x".repeat(200)]) {
      expect(keyPrefix(key).replace("…", "").length).toBeLessThanOrEqual(Math.floor(key.length / 4));
    }
  });

  it("stores only the hash; the key is shown once", async () => {
    const { keys, repo } = await store();
    const { key, record } = await keys.create("laptop", ["claude-sonnet-4-5"]);
    expect(key).toMatch(/^sk-sy-/);
    const rows = await repo.keys();
    expect(rows).toHaveLength(1);
    expect(JSON.stringify(rows)).not.toContain(key);
    expect(rows[0]!.hash).toBe(hashKey(key));
    expect(record.prefix).toBe(`sk-sy-…${key.slice(-4)}`);
    expect(keys.authenticate(key)?.name).toBe("laptop");
    expect(keys.allows(record, "claude-sonnet-4-5")).toBe(true);
    expect(keys.allows(record, "other")).toBe(false);
  });

  it("revoked keys stop working at once", async () => {
    const { keys } = await store();
    const { key, record } = await keys.create("temp", null);
    const revoking = keys.revoke(record.id);
    expect(keys.authenticate(key)).toBeNull(); // before the write lands
    await revoking;
    expect(keys.list()[0]!.revokedAt).not.toBeNull();
  });

  it("a revoke the database refused leaves the key as the table has it", async () => {
    const { keys } = await store([], (r) => ({ ...r, revokeKey: () => Promise.reject(new Error("disk full")) }));
    const { key, record } = await keys.create("temp", null);
    await expect(keys.revoke(record.id)).rejects.toThrow(/disk full/);
    expect(keys.authenticate(key)?.name).toBe("temp");
    expect(keys.list()[0]!.revokedAt).toBeNull();
  });

  it("config keys are synced, read-only, and counted like the others", async () => {
    const { keys, repo } = await store([{ name: "laptop", key: "sk-example-123" }]);
    const k = keys.authenticate("sk-example-123")!;
    expect(k.source).toBe("config");
    expect(k.prefix).toBe("s…23");
    await expect(keys.revoke(k.id)).rejects.toThrow(/config file/);
    keys.recordUsage(k, 10, 3);
    keys.recordUsage(k, 5, null);
    await keys.flush();
    expect((await repo.keys())[0]).toMatchObject({ requests: 2, inputTokens: 15, outputTokens: 3 });
    // a restart with the key removed from the file removes it
    await keys.load([]);
    expect(keys.authenticate("sk-example-123")).toBeNull();
  });

  it("usage that could not be written is kept for the next flush", async () => {
    let fail = true;
    const { keys, repo } = await store([{ name: "laptop", key: "sk-example-123" }], (r) => ({
      ...r, addUsage: (d) => (fail ? Promise.reject(new Error("busy")) : r.addUsage(d)),
    }));
    const k = keys.authenticate("sk-example-123")!;
    keys.recordUsage(k, 10, 3);
    await expect(keys.flush()).rejects.toThrow(/busy/);
    keys.recordUsage(k, 1, 1);
    fail = false;
    await keys.flush();
    expect((await repo.keys())[0]).toMatchObject({ requests: 2, inputTokens: 11, outputTokens: 4 });
  });

  it("the admin token opens the gateway too", async () => {
    const { keys } = await store();
    expect(keys.authenticate("admin-token-123")?.name).toBe("admin");
    expect(keys.authenticate("wrong")).toBeNull();
  });

  it("refuses a second live key with the same name, also while the first is being written", async () => {
    const { keys } = await store();
    const first = keys.create("a", null);
    await expect(keys.create("a", null)).rejects.toThrow(/already exists/);
    await first;
    await expect(keys.create("a", null)).rejects.toThrow(/already exists/);
  });

  it("a revoked key's name can be used again", async () => {
    const { keys, repo } = await store();
    const { record } = await keys.create("a", null);
    await keys.revoke(record.id);
    const again = await keys.create("a", null);
    expect(keys.list().map((k) => k.id)).toEqual([again.record.id]);
    expect((await repo.keys()).map((r) => r.id)).toEqual([again.record.id]);
  });
});
