/**
 * Who the gateway lets in besides API keys: the dashboard's session from its own origin (the
 * playground), and the server's own benchmark key. And the headers that say who answered.
 */
import type { IncomingHttpHeaders, ServerResponse } from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import { createAuth, SESSION_COOKIE } from "../../../server/core/auth";
import { openMemoryDatabase, type DbHandle } from "../../../server/db/client";
import { gatewayRepo } from "../../../server/db/repos/gateway-repo";
import { settingsRepo } from "../../../server/db/repos/settings-repo";
import { dashboardSessionCheck, keyOrSession } from "../../../server/gateway/auth/dashboard-session";
import { KeyStore } from "../../../server/gateway/auth/keys";
import { announceAnsweredBy } from "../../../server/gateway/observe/answered-by";

let handle: DbHandle;
afterEach(() => handle?.close());

async function setup() {
  handle = openMemoryDatabase();
  const auth = await createAuth(settingsRepo(handle.db), { adminToken: "admin-token-123" });
  const store = new KeyStore(gatewayRepo(handle.db), (t) => auth.checkAdminToken(t));
  await store.load([{ name: "laptop", key: "sk-laptop-key-1" }]);
  const check = dashboardSessionCheck(auth);
  const keys = { authenticate: (h: IncomingHttpHeaders) => keyOrSession(store, check, h), recordUsage: store.recordUsage.bind(store), list: () => store.list(), addInternal: (n: string) => store.addInternal(n) };
  const cookie = `${SESSION_COOKIE}=${encodeURIComponent(auth.issueSession().value)}`;
  return { auth, keys, cookie };
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

  it("refuses forged, expired, malformed and missing sessions", async () => {
    const { auth, keys } = await setup();
    const from = { origin: "http://dash.lan:3000", host: "dash.lan:3000" };
    const expired = auth.issueSession(Date.now() - 31 * 24 * 3600 * 1000).value;
    const forged = `${Date.now() + 3_600_000}.${"A".repeat(43)}`;
    for (const value of [expired, forged, "%E0%A4%A", "", "1.2.3"]) {
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
  function res() {
    const h: Record<string, string> = {};
    return { headers: h, r: { headersSent: false, setHeader: (k: string, v: string) => void (h[k] = v) } as unknown as ServerResponse };
  }

  it("name the backend, the target and the failovers on the way", () => {
    const { headers, r } = res();
    announceAnsweredBy(r, { target: "box1/qwen3-8b", failovers: 1, hops: [{ from: "cloud/claude-sonnet-4-5", to: "box1/qwen3-8b", why: "HTTP 529" }] });
    expect(headers).toEqual({
      "x-switchyard-backend": "box1", "x-switchyard-target": "box1%2Fqwen3-8b", "x-switchyard-failovers": "1", "x-switchyard-tried": "cloud%2Fclaude-sonnet-4-5",
    });
  });

  it("percent-encode what a client put in the model name (no header injection, nothing invalid)", () => {
    const { headers, r } = res();
    announceAnsweredBy(r, { target: `box1/x\r\nset-cookie: a=b\u0000é${"y".repeat(1000)}`, failovers: 0, hops: [] });
    expect(headers["x-switchyard-target"]).toMatch(/^[A-Za-z0-9%._~!*'()-]+$/);
    expect(headers["x-switchyard-target"]!.length).toBeLessThan(1000);
    expect(decodeURIComponent(headers["x-switchyard-target"]!)).toContain("\r\nset-cookie");
  });
});
