/**
 * Hostile input to /api/alerts/*: sizes, shapes, channel URL schemes (file:, javascript:, …),
 * SSRF targets, generated garbage; and channel secrets never in an answer. What is allowed, and
 * why, is written in server/core/alerts/channels/channel-url.ts: http(s), ntfy, discord, slack and
 * smtp(s) only; LAN and loopback addresses yes (homelab receivers live there, and only the admin
 * can set a channel), link-local and cloud metadata addresses no; redirects are not followed and
 * response bodies are never read or returned.
 */
import { randomBytes } from "node:crypto";
import fc from "fast-check";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createApi } from "../../server/api/app";
import { createAuth } from "../../server/core/auth";
import { createFleet } from "../../server/core/fleet";
import { createHistory } from "../../server/core/history";
import { createSessions } from "../../server/core/sessions";
import { createAlerts, type Alerts } from "../../server/core/alerts/module";
import { EMPTY_ALERTS } from "../../server/core/alerts/config-schema";
import { MAX_DASHBOARD_ENTRIES } from "../../server/core/alerts/catalog";
import { openMemoryDatabase, type DbHandle } from "../../server/db/client";
import { alertsRepo } from "../../server/db/repos/alerts-repo";
import { alertChannels } from "../../server/db/schema";
import { nodesRepo } from "../../server/db/repos/nodes-repo";
import { samplesRepo } from "../../server/db/repos/samples-repo";
import { sessionsRepo } from "../../server/db/repos/sessions-repo";
import { settingsRepo } from "../../server/db/repos/settings-repo";
import { freePort } from "../helpers/processes";
import { createSecretBox } from "../../server/core/secret-box";

const ADMIN = "admin-token-for-alert-tests";
let db: DbHandle;
let alerts: Alerts;
let api: ReturnType<typeof createApi>;

beforeEach(async () => {
  db = openMemoryDatabase();
  const auth = await createAuth(settingsRepo(db), { adminToken: ADMIN });
  const fleet = await createFleet(nodesRepo(db));
  alerts = await createAlerts({ repo: alertsRepo(db), secretBox: createSecretBox(randomBytes(32)), config: EMPTY_ALERTS, sources: { fleet } });
  api = createApi({ auth, sessions: createSessions(sessionsRepo(db)), fleet, history: createHistory(samplesRepo(db)), isReady: () => true, hubStats: () => ({ connected: 0, messages: 0, malformed: 0, refused: 0, liveClients: 0 }), alerts: alerts.service });
});

afterEach(async () => {
  await alerts.stop();
  db.close();
});

const post = (path: string, body: string | object, headers: Record<string, string> = {}) =>
  api.request(path, { method: "POST", body: typeof body === "string" ? body : JSON.stringify(body), headers: { authorization: `Bearer ${ADMIN}`, "content-type": "application/json", ...headers } });
const get = (path: string) => api.request(path, { headers: { authorization: `Bearer ${ADMIN}` } });

async function refused(res: Response, status: number, message?: RegExp) {
  expect(res.status).toBe(status);
  const body = (await res.json()) as { error: { code: string; message: string } };
  expect(typeof body.error.code).toBe("string");
  if (message) expect(body.error.message).toMatch(message);
}

describe("alerts API under hostile input", () => {
  it("needs the admin token everywhere", async () => {
    for (const [method, path] of [["GET", "/api/alerts/firing"], ["GET", "/api/alerts/channels"], ["POST", "/api/alerts/channels"], ["POST", "/api/alerts/rules"], ["POST", "/api/alerts/channels/x/test"], ["DELETE", "/api/alerts/rules/x"]]) {
      expect((await api.request(path!, { method })).status).toBe(401);
    }
  });

  it("refuses bodies over 16 KiB before reading them, and bodies that are not JSON objects", async () => {
    await refused(await post("/api/alerts/channels", { name: "big", url: `http://x/${"a".repeat(20_000)}` }), 413, /larger than 16 KiB/);
    await refused(await post("/api/alerts/rules", "{not json"), 400, /must be JSON/);
    for (const body of ["null", "[]", "42", '"x"']) await refused(await post("/api/alerts/rules", body), 400);
  });

  it.each([
    ["file:///etc/passwd", /scheme 'file' is not a channel/],
    ["javascript:alert(document.cookie)", /scheme 'javascript'/],
    ["data:text/html,<script>alert(1)</script>", /scheme 'data'/],
    ["gopher://127.0.0.1:6379/_FLUSHALL", /scheme 'gopher'/],
    ["ftp://example.com/x", /scheme 'ftp'/],
    ["http://169.254.169.254/latest/meta-data/iam/", /metadata/],
    ["http://[fe80::1%25eth0]/", /./],
    ["http://metadata.google.internal/", /metadata/],
    ["ntfy://169.254.169.254/topic", /metadata/],
    ["http://exa mple.com/", /spaces or control/],
    ["http://example.com/\r\nX-Injected: 1", /spaces or control/],
    ["", /must not be empty/],
  ])("refuses the channel URL %s", async (url, why) => {
    await refused(await post("/api/alerts/channels", { name: "bad", url }), 400, why);
    expect((await (await get("/api/alerts/channels")).json())).toEqual([]);
  });

  it.each([
    [{ name: "../../etc", url: "http://x/y" }, /letters, digits/],
    [{ name: "a".repeat(65), url: "http://x/y" }, /64/],
    [{ name: "ok", url: "http://x/y", extra: 1 }, /unrecognized|extra/i],
    [{ name: "ok", url: ["http://x/y"] }, /./],
  ])("refuses the channel body %j", async (body, why) => {
    await refused(await post("/api/alerts/channels", body), 400, why);
  });

  it.each([
    [{ name: "r", when: "gpu-memory", notify: Array.from({ length: 21 }, (_, i) => `c${i}`) }, /20/],
    [{ name: "r", when: "gpu-memory", notify: ["c"], nodes: Array.from({ length: 101 }, () => "n") }, /100/],
    [{ name: "r", when: "gpu-memory", notify: ["c"], above: -1 }, /between 0 and 100/],
    [{ name: "r", when: "gpu-memory", notify: ["c"], for: "99999d" }, /at most 30d/],
    [{ name: "r", when: "gpu-memory", notify: ["c"], for: "1e9s" }, /duration/],
    [{ name: "r", when: "gpu-memory", notify: ["c"], gpus: [1e9] }, /./],
    [{ name: "r", when: "gpu-memory", notify: ["c"], quietHours: { from: "22:00", to: "07:00", timezone: "../../etc/localtime" } }, /time zone/],
    [{ name: "r", when: "gpu-memory", notify: ["c"], __proto__: { polluted: true }, constructor: { prototype: { polluted: true } } }, /./],
    [{ when: "gpu-memory", notify: ["c"] }, /name is required/],
    [{ name: "r", when: "gpu-memory", notify: ["nope"] }, /no channel named nope/],
  ])("refuses the rule %j", async (body, why) => {
    await refused(await post("/api/alerts/rules", body), 400, why);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("holds at most MAX_DASHBOARD_ENTRIES channels and rules: one more is refused, replacing one is not", async () => {
    for (let i = 0; i < MAX_DASHBOARD_ENTRIES; i++) expect((await post("/api/alerts/channels", { name: `c${i}`, url: `ntfy://ntfy.sh/topic${i}` })).status).toBe(201);
    await refused(await post("/api/alerts/channels", { name: "one-more", url: "ntfy://ntfy.sh/more" }), 409, /delete some first/);
    expect((await post("/api/alerts/channels", { name: "c0", url: "ntfy://ntfy.sh/replaced" })).status).toBe(201);
    for (let i = 0; i < MAX_DASHBOARD_ENTRIES; i++) expect((await post("/api/alerts/rules", { name: `r${i}`, when: "gpu-memory", notify: ["c0"] })).status).toBe(201);
    await refused(await post("/api/alerts/rules", { name: "one-more", when: "gpu-memory", notify: ["c0"] }), 409, /delete some first/);
    expect((await post("/api/alerts/rules", { name: "r0", when: "gpu-temperature", notify: ["c1"] })).status).toBe(201);
    const channels = (await (await get("/api/alerts/channels")).json()) as unknown[];
    const rules = (await (await get("/api/alerts/rules")).json()) as unknown[];
    expect([channels.length, rules.length]).toEqual([MAX_DASHBOARD_ENTRIES, MAX_DASHBOARD_ENTRIES]);
  });

  it("answers generated hostile bodies with a 4xx JSON error, never a 500, and keeps working", async () => {
    await fc.assert(fc.asyncProperty(fc.oneof(fc.jsonValue(), fc.record({ name: fc.string(), url: fc.string(), when: fc.string(), notify: fc.array(fc.string()) })), async (body) => {
      for (const path of ["/api/alerts/rules", "/api/alerts/channels"]) {
        const res = await post(path, JSON.stringify(body));
        expect(res.status === 201 || (res.status >= 400 && res.status < 500)).toBe(true);
        if (res.status !== 201) expect(((await res.json()) as { error: unknown }).error).toBeTruthy();
      }
    }), { numRuns: 150 });
    expect((await get("/api/alerts/firing")).status).toBe(200);
  });

  it("refuses cookie-signed changes from another origin (CSRF)", async () => {
    const login = await api.request("/api/session", { method: "POST", body: JSON.stringify({ token: ADMIN }), headers: { "content-type": "application/json" } });
    const cookie = (login.headers.get("set-cookie") ?? "").split(";")[0]!;
    const res = await api.request("/api/alerts/channels", { method: "POST", body: JSON.stringify({ name: "x", url: "http://x/y" }), headers: { cookie, origin: "http://evil.example", host: "localhost", "content-type": "application/json" } });
    expect(res.status).toBe(403);
  });
});

describe("channel secrets", () => {
  it("never appear in API answers, a failed test's error included", async () => {
    const port = await freePort(); // nothing listens there
    const secrets = ["s3cretHookPath", "hunter2pass", "tk_SECRETTOKEN1", "topic-SECRET-9"];
    const channels = [
      { name: "hook", url: `http://admin:${secrets[1]}@127.0.0.1:${port}/${secrets[0]}` },
      { name: "phone", url: `ntfy+http://127.0.0.1:${port}/${secrets[3]}?token=${secrets[2]}` },
      { name: "mail", url: `smtp://me:${secrets[1]}@127.0.0.1:${port}/?to=a@example.com` },
    ];
    let seen = "";
    for (const c of channels) {
      const res = await post("/api/alerts/channels", c);
      expect(res.status).toBe(201);
      seen += await res.text();
      const test = await post(`/api/alerts/channels/${c.name}/test`, {});
      const result = (await test.json()) as { ok: boolean; error: string };
      expect(result.ok).toBe(false);
      expect(result.error).toMatch(/ECONNREFUSED|connect|Connection|fetch failed/i);
      seen += JSON.stringify(result);
    }
    seen += await (await get("/api/alerts/channels")).text();
    seen += await (await get("/api/alerts/tests")).text();
    for (const s of secrets) expect(seen).not.toContain(s);
    const stored = JSON.stringify(await db.db.select().from(alertChannels));
    for (const s of secrets) expect(stored).not.toContain(s);
  });

  it("a test of an unknown channel is a 404", async () => {
    await refused(await post("/api/alerts/channels/nope/test", {}), 404, /no alert channel named 'nope'/);
  });
});
