import { afterEach, describe, expect, it } from "vitest";
import { openMemoryDatabase, type DbHandle } from "../../../server/db/client";
import { gatewayRepo } from "../../../server/db/repos/gateway-repo";
import { KeyStore, hashKey, presentedKey } from "../../../server/gateway/auth/keys";

let handle: DbHandle;
afterEach(() => handle?.close());

function store(configKeys: Array<{ name: string; key: string; models?: string[] }> = []) {
  handle = openMemoryDatabase();
  const repo = gatewayRepo(handle.db);
  const keys = new KeyStore(repo, (t) => t === "admin-token-123");
  keys.load(configKeys);
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

  it("stores only the hash; the key is shown once", () => {
    const { keys, repo } = store();
    const { key, record } = keys.create("laptop", ["claude-sonnet-4-5"]);
    expect(key).toMatch(/^sk-sy-/);
    const rows = repo.keys();
    expect(rows).toHaveLength(1);
    expect(JSON.stringify(rows)).not.toContain(key);
    expect(rows[0]!.hash).toBe(hashKey(key));
    expect(record.prefix).toBe(key.slice(0, 10) + "…");
    expect(keys.authenticate({ authorization: `Bearer ${key}` })?.name).toBe("laptop");
    expect(keys.allows(record, "claude-sonnet-4-5")).toBe(true);
    expect(keys.allows(record, "other")).toBe(false);
  });

  it("revoked keys stop working at once", () => {
    const { keys } = store();
    const { key, record } = keys.create("temp", null);
    keys.revoke(record.id);
    expect(keys.authenticate({ "x-api-key": key })).toBeNull();
    expect(keys.list()[0]!.revokedAt).not.toBeNull();
  });

  it("config keys are synced, read-only, and counted like the others", () => {
    const { keys, repo } = store([{ name: "laptop", key: "sk-example-123" }]);
    const k = keys.authenticate({ authorization: "Bearer sk-example-123" })!;
    expect(k.source).toBe("config");
    expect(() => keys.revoke(k.id)).toThrow(/config file/);
    keys.recordUsage(k, 10, 3);
    keys.recordUsage(k, 5, null);
    keys.flush();
    expect(repo.keys()[0]).toMatchObject({ requests: 2, inputTokens: 15, outputTokens: 3 });
    // a restart with the key removed from the file removes it
    keys.load([]);
    expect(keys.authenticate({ authorization: "Bearer sk-example-123" })).toBeNull();
  });

  it("the admin token opens the gateway too", () => {
    const { keys } = store();
    expect(keys.authenticate({ authorization: "Bearer admin-token-123" })?.name).toBe("admin");
    expect(keys.authenticate({ authorization: "Bearer wrong" })).toBeNull();
  });

  it("refuses a second live key with the same name", () => {
    const { keys } = store();
    keys.create("a", null);
    expect(() => keys.create("a", null)).toThrow(/already exists/);
  });
});
