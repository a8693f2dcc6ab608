/**
 * The dashboard's session at the gateway, attacked, on a real server process: the cookie counts
 * only from the dashboard's own origin; forged, expired (stored, but old), signed-out and
 * malformed sessions are refused; the answer's x-switchyard-* headers name the backend and never its URL or
 * key; hostile model names cannot break the headers; the server keeps answering throughout.
 */
import Database from "better-sqlite3";
import { createHash, randomBytes } from "node:crypto";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RequestLogEntry } from "../../protocol/gateway";
import { json, openAICompletion, scriptedUpstream, startGateway, withHealth, type GatewayServer, type Scripted } from "../helpers/gateway";
import { ADMIN_TOKEN } from "../helpers/processes";

const UPSTREAM_KEY = "sk-upstream-secret-0123456789";

let upstream: Scripted;
let gw: GatewayServer;
let cookie: string;
let origin: string;

beforeAll(async () => {
  upstream = await scriptedUpstream(withHealth((req, res) => json(res, 200, openAICompletion(JSON.parse(req.body || "{}").model ?? "m", "hi"))));
  gw = await startGateway(`apiKeys: []
backends:
  - {name: box1, url: "${upstream.url}", api: openai, apiKey: ${UPSTREAM_KEY}}
routes:
  - {model: chat, targets: [box1/served-model]}
`);
  origin = gw.url;
  cookie = await signIn();
}, 90_000);

async function signIn(): Promise<string> {
  const res = await fetch(`${gw.url}/api/session`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ token: ADMIN_TOKEN }) });
  return res.headers.get("set-cookie")!.split(";")[0]!;
}

afterAll(async () => {
  await gw?.stop();
  await upstream?.close();
});

const chat = (headers: Record<string, string>, model = "chat") =>
  fetch(`${gw.url}/v1/chat/completions`, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify({ model, messages: [{ role: "user", content: "hi" }] }), redirect: "manual" });

/** A session stored in the server's own database as a sign-in would store it, with any expiry. */
function storedSession(expiresAt: number): string {
  const token = randomBytes(32).toString("base64url");
  const db = new Database(path.join(gw.dataDir, "switchyard.db"));
  db.prepare("insert into sessions (id, created_at, expires_at) values (?, ?, ?)").run(createHash("sha256").update(token).digest("hex"), Date.now(), expiresAt);
  db.close();
  return token;
}

describe("the dashboard session through the gateway", () => {
  it("works from the dashboard's own origin, logged as 'dashboard', naming the backend in headers", async () => {
    const res = await chat({ cookie, origin });
    expect(res.status).toBe(200);
    expect(res.headers.get("x-switchyard-backend")).toBe("box1");
    expect(decodeURIComponent(res.headers.get("x-switchyard-target")!)).toBe("box1/served-model");
    expect(res.headers.get("x-switchyard-failovers")).toBe("0");
    const all = [...res.headers].map(([k, v]) => `${k}: ${v}`).join("\n");
    expect(all).not.toContain(UPSTREAM_KEY);
    expect(all).not.toContain(String(upstream.port));
    const models = await fetch(`${gw.url}/v1/models`, { headers: { cookie, "sec-fetch-site": "same-origin" } });
    expect(models.status).toBe(200);
    const log = (await (await gw.api("/api/gateway/requests?limit=5")).json()) as RequestLogEntry[];
    expect(log.find((r) => r.endpoint === "chat")?.keyName).toBe("dashboard");
  });

  it.each([
    ["from another origin", { origin: "http://evil.example:3000" }],
    ["from another port of the same host", { origin: "http://127.0.0.1:1" }],
    ["from a sandboxed frame (Origin: null)", { origin: "null" }],
    ["with no Origin from another site", { "sec-fetch-site": "cross-site" }],
    ["with no Origin and no Sec-Fetch-Site", {}],
  ])("refuses the cookie %s", async (_what, headers) => {
    const res = await chat({ cookie, ...headers });
    expect(res.status).toBe(401);
    expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(/API key/);
    const models = await fetch(`${gw.url}/v1/models`, { headers: { cookie, ...headers } });
    expect(models.status).toBe(401);
  });

  it("refuses expired, signed-out, forged and malformed sessions, and answers every one", async () => {
    const expired = storedSession(Date.now() - 1000);
    const valid = storedSession(Date.now() + 3_600_000);
    expect((await chat({ cookie: `sy_session=${valid}`, origin })).status).toBe(200); // the stored row is right…
    const signedOut = await signIn();
    expect((await chat({ cookie: signedOut, origin })).status).toBe(200);
    expect((await fetch(`${gw.url}/api/session`, { method: "DELETE", headers: { cookie: signedOut, origin } })).status).toBe(204);
    expect((await chat({ cookie: signedOut, origin })).status).toBe(401);
    for (const value of [expired, valid.slice(0, -1), randomBytes(32).toString("base64url"), "%E0%A4%A", "%", "a".repeat(8000)]) {
      const res = await chat({ cookie: `sy_session=${value}`, origin });
      expect(res.status, value.slice(0, 40)).toBe(401);
    }
    // The same malformed cookie on a dashboard page and the live socket's path: answered, not hung.
    const page = await fetch(`${gw.url}/`, { headers: { cookie: "sy_session=%E0%A4%A" }, redirect: "manual", signal: AbortSignal.timeout(10_000) });
    expect(page.status).toBe(302);
    expect((await fetch(`${gw.url}/api/health`)).status).toBe(200);
  });

  it("keeps response headers valid whatever model name a client sends", async () => {
    for (const model of ["box1/a\r\nset-cookie: pwned=1", "box1/é∂ƒ©", `box1/${"x".repeat(5000)}`, "box1/\u0000", "box1/a%0d%0aX: y"]) {
      const res = await chat({ cookie, origin }, model);
      expect(res.status, JSON.stringify(model).slice(0, 40)).toBe(200);
      expect(res.headers.get("set-cookie")).toBeNull();
      expect(decodeURIComponent(res.headers.get("x-switchyard-target")!)).toBe(model.slice(0, 256));
    }
    expect((await fetch(`${gw.url}/api/health`)).status).toBe(200);
  });

  it("does not let a backend speak for the gateway in x-switchyard-* headers", async () => {
    upstream.setScript(withHealth((_req, res) => json(res, 200, openAICompletion("m", "hi"), { "x-switchyard-backend": "spoofed", "x-switchyard-failovers": "9" })));
    const res = await chat({ cookie, origin });
    expect(res.headers.get("x-switchyard-backend")).toBe("box1");
    expect(res.headers.get("x-switchyard-failovers")).toBe("0");
  });
});
