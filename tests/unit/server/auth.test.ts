import { describe, expect, it } from "vitest";
import { openMemoryDatabase } from "../../../server/db/client";
import { sessions as sessionsTable } from "../../../server/db/schema";
import { settingsRepo } from "../../../server/db/repos/settings-repo";
import { sessionsRepo } from "../../../server/db/repos/sessions-repo";
import { createAuth } from "../../../server/core/auth";
import { createSessions } from "../../../server/core/sessions";
import { bearer, readCookie, sessionCookie } from "../../../server/http/credentials";

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

  it("says when the admin token changed since the last start (its sessions must end)", async () => {
    const db = openMemoryDatabase();
    const repo = settingsRepo(db);
    expect((await createAuth(repo, { adminToken: "admin-secret-1" })).adminTokenChanged).toBe(false);
    expect((await createAuth(repo, { adminToken: "admin-secret-1" })).adminTokenChanged).toBe(false);
    expect((await createAuth(repo, { adminToken: "admin-secret-2" })).adminTokenChanged).toBe(true);
    expect((await createAuth(repo, { adminToken: "admin-secret-2" })).adminTokenChanged).toBe(false);
  });
});

describe("sessions", () => {
  it("are server-side: they expire, end one by one or all at once, and a forged token is nothing", async () => {
    const db = openMemoryDatabase();
    const sessions = createSessions(sessionsRepo(db), { ttlMs: 60_000, recheckMs: 0 });
    const a = await sessions.create(1000);
    const b = await sessions.create(1000);
    expect(a.maxAgeS).toBe(60);
    expect(await sessions.check(a.token, 2000)).toBe(true);
    expect(await sessions.check(a.token, 61_001)).toBe(false);
    expect(await sessions.check(`${a.token.slice(0, -1)}x`, 2000)).toBe(false);
    expect(await sessions.check("", 2000)).toBe(false);
    expect(await sessions.check("x".repeat(10_000), 2000)).toBe(false);
    await sessions.end(a.token);
    expect(await sessions.check(a.token, 2000)).toBe(false);
    expect(await sessions.check(b.token, 2000)).toBe(true);
    expect(await sessions.endAll()).toBe(1);
    expect(await sessions.check(b.token, 2000)).toBe(false);
  });

  it("remembers a valid session for a moment, but an end on this server takes effect at once", async () => {
    const db = openMemoryDatabase();
    const repo = sessionsRepo(db);
    const sessions = createSessions(repo, { recheckMs: 10_000 });
    const other = createSessions(repo, { recheckMs: 10_000 }); // another server on the same database
    const s = await sessions.create(1000);
    expect(await sessions.check(s.token, 1000)).toBe(true);
    await other.end(s.token);
    expect(await sessions.check(s.token, 5000)).toBe(true); // cached
    expect(await sessions.check(s.token, 11_001)).toBe(false); // rechecked
    const t = await sessions.create(20_000);
    await sessions.end(t.token);
    expect(await sessions.check(t.token, 20_001)).toBe(false);
  });

  it("stores only a hash of the token", async () => {
    const db = openMemoryDatabase();
    const s = await createSessions(sessionsRepo(db)).create();
    const rows = await db.db.select().from(sessionsTable);
    expect(rows).toHaveLength(1);
    expect(JSON.stringify(rows)).not.toContain(s.token);
  });
});

describe("credentials at the HTTP edge", () => {
  it("reads cookies and bearer headers, and nothing from malformed ones", () => {
    expect(readCookie("a=1; sy_session=abc%3D; b=2", "sy_session")).toBe("abc=");
    expect(readCookie(undefined, "x")).toBeNull();
    expect(readCookie("sy_session=%E0%A4%A", "sy_session")).toBeNull();
    expect(bearer("Bearer tok")).toBe("tok");
    expect(bearer("Basic tok")).toBeNull();
    expect(bearer(`Bearer ${"x".repeat(10_000)}`)).toBeNull();
  });

  it("writes an HttpOnly, SameSite cookie, Secure over HTTPS, and an expired one to end it", () => {
    expect(sessionCookie("t", 60, false)).toBe("sy_session=t; Path=/; HttpOnly; SameSite=Lax; Max-Age=60");
    expect(sessionCookie("t", 60, true)).toMatch(/; Secure$/);
    expect(sessionCookie("t", 0, false)).toMatch(/^sy_session=; .*Max-Age=0/);
  });
});
