/**
 * Who the gateway lets in besides API keys: the dashboard's session from its own origin (the
 * playground), and the server's own benchmark key. And the headers that say who answered.
 */
import type { IncomingHttpHeaders } from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import { createAuth } from "../../../server/core/auth";
import { createSessions } from "../../../server/core/sessions";
import { openMemoryDatabase, type DbHandle } from "../../../server/db/client";
import { gatewayRepo } from "../../../server/db/repos/gateway-repo";
import { sessionsRepo } from "../../../server/db/repos/sessions-repo";
import { settingsRepo } from "../../../server/db/repos/settings-repo";
import { dashboardSessionCheck, keyOrSession } from "../../../server/gateway/auth/dashboard-session";
import { KeyStore } from "../../../server/core/gateway/key-store";
import { appendAnsweredBy } from "../../../server/gateway/observe/answered-by";
import { SESSION_COOKIE } from "../../../server/http/credentials";
import { createRequestAuth } from "../../../server/http/request-auth";

let handle: DbHandle;
afterEach(() => handle?.close());

async function setup() {
  handle = openMemoryDatabase();
  const auth = await createAuth(settingsRepo(handle), { adminToken: "admin-token-123" });
  const sessions = createSessions(sessionsRepo(handle));
  const store = new KeyStore(gatewayRepo(handle), (t) => auth.checkAdminToken(t));
  await store.load([{ name: "laptop", key: "sk-laptop-key-1" }]);
  const check = dashboardSessionCheck(createRequestAuth(auth, sessions));
  const keys = { authenticate: async (h: IncomingHttpHeaders) => keyOrSession(store, check, h), recordUsage: store.recordUsage.bind(store), list: () => store.list(), addInternal: (n: string) => store.addInternal(n) };
  const cookie = `${SESSION_COOKIE}=${encodeURIComponent((await sessions.create()).token)}`;
  return { sessions, keys, cookie };
}

describe("the dashboard's session at the gateway", () => {
  it("lets the dashboard's own pages in as 'dashboard', counting no key usage", async () => {
    const { keys, cookie } = await setup();
    const post = await keys.authenticate({ cookie, origin: "http://dash.lan:3000", host: "dash.lan:3000" });
    expect(post).toMatchObject({ name: "dashboard", source: "dashboard" });
    // A same-origin GET carries no Origin; Sec-Fetch-Site says where it came from.
    expect((await keys.authenticate({ cookie, host: "dash.lan:3000", "sec-fetch-site": "same-origin" }))?.name).toBe("dashboard");
    keys.recordUsage(post!, 10, 20);
    expect(keys.list().every((k) => k.requests === 0)).toBe(true);
  });

  it.each([
    ["another origin", { origin: "http://evil.lan:3000", host: "dash.lan:3000" }],
    ["another port of the same host", { origin: "http://dash.lan:8080", host: "dash.lan:3000" }],
    ["no Origin from another site", { host: "dash.lan:3000", "sec-fetch-site": "cross-site" }],
    ["no Origin from a sibling site", { host: "dash.lan:3000", "sec-fetch-site": "same-site" }],
    ["no Origin and no Sec-Fetch-Site", { host: "dash.lan:3000" }],
    ["Origin null (a sandboxed frame)", { origin: "null", host: "dash.lan:3000" }],
  ])("refuses the cookie from %s", async (_what, headers) => {
    const { keys, cookie } = await setup();
    expect(await keys.authenticate({ cookie, ...headers })).toBeNull();
  });

  it("refuses forged, expired, ended, malformed and missing sessions", async () => {
    const { sessions, keys } = await setup();
    const from = { origin: "http://dash.lan:3000", host: "dash.lan:3000" };
    const expired = (await sessions.create(Date.now() - 31 * 24 * 3600 * 1000)).token;
    const ended = (await sessions.create()).token;
    await sessions.end(ended);
    const forged = "A".repeat(43);
    for (const value of [expired, ended, forged, "%E0%A4%A", "", "1.2.3", "x".repeat(5000)]) {
      expect(await keys.authenticate({ ...from, cookie: `${SESSION_COOKIE}=${value}` }), value).toBeNull();
    }
    expect(await keys.authenticate(from)).toBeNull();
  });

  it("takes a presented key over the cookie, and a wrong key is wrong even with a session", async () => {
    const { keys, cookie } = await setup();
    const from = { cookie, origin: "http://dash.lan:3000", host: "dash.lan:3000" };
    expect((await keys.authenticate({ ...from, authorization: "Bearer sk-laptop-key-1" }))?.name).toBe("laptop");
    expect(await keys.authenticate({ ...from, authorization: "Bearer wrong" })).toBeNull();
  });
});

describe("internal keys", () => {
  it("open the gateway under their own name, are never listed and count no usage", async () => {
    const { keys } = await setup();
    const key = keys.addInternal("benchmark");
    const k = await keys.authenticate({ authorization: `Bearer ${key}` });
    expect(k).toMatchObject({ name: "benchmark", source: "internal" });
    keys.recordUsage(k!, 1, 1);
    expect(keys.list().map((x) => x.name)).toEqual(["laptop"]);
    expect(await keys.authenticate({ authorization: `Bearer ${keys.addInternal("benchmark")}x` })).toBeNull();
  });
});

describe("x-switchyard-* response headers", () => {
  const asObject = (flat: string[]) => Object.fromEntries(flat.flatMap((v, i) => (i % 2 === 0 ? [[v, flat[i + 1]!]] : [])));

  it("name the backend, the target and the failovers on the way, after the head already there", () => {
    const head = appendAnsweredBy(["content-type", "application/json"], { target: "box1/qwen3-8b", failovers: 1, hops: [{ from: "cloud/claude-sonnet-4-5", to: "box1/qwen3-8b", why: "HTTP 529" }] });
    expect(head.slice(0, 2)).toEqual(["content-type", "application/json"]);
    expect(asObject(head.slice(2))).toEqual({
      "x-switchyard-backend": "box1", "x-switchyard-target": "box1%2Fqwen3-8b", "x-switchyard-failovers": "1", "x-switchyard-tried": "cloud%2Fclaude-sonnet-4-5",
    });
  });

  it("say nothing before a target answered", () => {
    expect(appendAnsweredBy([], { target: null, failovers: 0, hops: [] })).toEqual([]);
  });

  it("percent-encode what a client put in the model name (no header injection, nothing invalid)", () => {
    const headers = asObject(appendAnsweredBy([], { target: `box1/x\r\nset-cookie: a=b\u0000é${"y".repeat(1000)}`, failovers: 0, hops: [] }));
    expect(headers["x-switchyard-target"]).toMatch(/^[A-Za-z0-9%._~!*'()-]+$/);
    expect(headers["x-switchyard-target"]!.length).toBeLessThan(1000);
    expect(decodeURIComponent(headers["x-switchyard-target"]!)).toContain("\r\nset-cookie");
  });
});
