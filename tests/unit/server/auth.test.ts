import { describe, expect, it } from "vitest";
import { openMemoryDatabase } from "../../../server/db/client";
import { settingsRepo } from "../../../server/db/repos/settings-repo";
import { bearer, createAuth, readCookie } from "../../../server/core/auth";

describe("auth", () => {
  it("generates an admin token once, stores only its hash, and accepts it on later starts", async () => {
    const db = openMemoryDatabase();
    const repo = settingsRepo(db);
    const first = await createAuth(repo, {});
    expect(first.generatedAdminToken).toMatch(/^sya_/);
    expect(await repo.get("admin_token_sha256")).not.toContain(first.generatedAdminToken!);
    const second = await createAuth(repo, {});
    expect(second.generatedAdminToken).toBeNull();
    expect(second.checkAdminToken(first.generatedAdminToken)).toBe(true);
    expect(second.checkAdminToken("wrong")).toBe(false);
    expect(second.agentToken).toBe(first.agentToken);
  });

  it("prefers tokens from the environment", async () => {
    const db = openMemoryDatabase();
    const auth = await createAuth(settingsRepo(db), { adminToken: "admin-secret-1", agentToken: "agent-secret-1" });
    expect(auth.generatedAdminToken).toBeNull();
    expect(auth.checkAdminToken("admin-secret-1")).toBe(true);
    expect(auth.checkAgentToken("agent-secret-1")).toBe(true);
    expect(auth.checkAgentToken("admin-secret-1")).toBe(false);
  });

  it("issues sessions that expire, resist tampering and die with a new admin token", async () => {
    const db = openMemoryDatabase();
    const repo = settingsRepo(db);
    const auth = await createAuth(repo, { adminToken: "admin-secret-1" });
    const { value } = auth.issueSession(1000);
    expect(auth.checkSession(value, 2000)).toBe(true);
    expect(auth.checkSession(value, 1000 + 31 * 24 * 3600 * 1000)).toBe(false);
    expect(auth.checkSession(value.replace(/.$/, (c) => (c === "A" ? "B" : "A")), 2000)).toBe(false);
    expect(auth.checkSession("9999999999999.forged", 2000)).toBe(false);
    const rotated = await createAuth(repo, { adminToken: "admin-secret-2" });
    expect(rotated.checkSession(value, 2000)).toBe(false);
  });

  it("reads cookies and bearer headers", () => {
    expect(readCookie("a=1; sy_session=abc%3D; b=2", "sy_session")).toBe("abc=");
    expect(readCookie(undefined, "x")).toBeNull();
    expect(bearer("Bearer tok")).toBe("tok");
    expect(bearer("Basic tok")).toBeNull();
  });
});
