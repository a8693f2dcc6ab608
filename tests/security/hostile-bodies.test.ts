/**
 * Generated hostile input against every REST API schema of the real server, over real sockets:
 * thousands of bodies shaped like each route's schema with hostile values, raw bodies that are not
 * what the route reads (broken JSON, deep nesting, binary, prototype keys), and hostile path
 * parameters and query strings. Nothing may answer 5xx, the server must not fall over, and what
 * was stored before (a route, a key, a secret) must still be there after.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMIN_TOKEN, startServer, type TestServer } from "../helpers/processes";

/** Strings that have broken parsers, routers and file readers elsewhere. */
const HOSTILE_STRINGS = [
  "", " ", "__proto__", "constructor", "prototype", "toString", "../../../../etc/passwd", "/", "/etc", "/dev/zero", "/proc/self/environ",
  "%00", "\u0000", "\ud800", "\uffff", "💥".repeat(50), "a".repeat(70_000), "${SWITCHYARD_ADMIN_TOKEN}", "' OR 1=1 --", "<script>alert(1)</script>",
  "NaN", "Infinity", "-1", "1e309", "0x10", "null", "true", "[]", "{}", "vllm", "llamacpp", "a/b", "org/model:Q4_K_M", "/models/x.gguf",
  "none", "all", "0,1", "24GiB", "%E0%A4%A", "\r\nSet-Cookie: x=y", "keep-route", "cloud/m",
];

const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(...HOSTILE_STRINGS),
  fc.string({ maxLength: 40 }),
  fc.string({ unit: "grapheme", maxLength: 20 }),
  fc.integer(),
  fc.constantFrom(0, -1, 1, 2 ** 31, 2 ** 53, -(2 ** 53), 65_536, 1e308, 0.5),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.oneof(fc.string({ maxLength: 10 }), fc.integer(), fc.constant(null)), { maxLength: 8 }),
  fc.dictionary(fc.constantFrom("__proto__", "constructor", "x", "apiKey", "hfToken"), fc.oneof(fc.string(), fc.integer()), { maxKeys: 3 }),
  fc.anything({ maxDepth: 3 }),
);

/** An object with (some of) the route's fields, each hostile, plus the odd stray key. */
const shaped = (keys: string[]) =>
  fc.tuple(
    fc.record(Object.fromEntries(keys.map((k) => [k, hostileValue])), { requiredKeys: [] }),
    fc.dictionary(fc.constantFrom("__proto__", "constructor", "extra", "options"), hostileValue, { maxKeys: 2 }),
  ).map(([fields, extra]) => JSON.stringify({ ...extra, ...fields }));

const RAW_BODIES = [
  "", "{", "}", "[", "null", "true", "0", '""', "[]", "{}", '{"a":', "[".repeat(100_000), `${"[".repeat(50_000)}${"]".repeat(50_000)}`,
  `{"a":${'{"a":'.repeat(20_000)}1${"}".repeat(20_001)}`, '{"__proto__":{"polluted":true}}', '{"constructor":{"prototype":{"polluted":true}}}',
  '{"token":"a","token":"b"}', '{"model":"a/b","mod\\u0065l":"c/d"}', "1e999999", '{"ctx":1e999999}', "\u0000\u0001\u0002", "\ufeff{}",
  '{"value":"\\ud800"}', "token=x&next=//evil", "--boundary\r\nContent-Disposition: form-data; name=\"token\"\r\n\r\nx\r\n--boundary--",
];
const rawBody = fc.oneof(
  fc.constantFrom(...RAW_BODIES),
  fc.json({ maxDepth: 4 }),
  fc.string({ maxLength: 200 }),
  fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b).toString("latin1")),
);

const contentType = fc.constantFrom("application/json", "application/json; charset=utf-8", "text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=boundary", undefined);

/** Every body-taking REST route and the fields of its schema. */
const BODY_ROUTES: Array<{ method: string; path: string; keys: string[] }> = [
  { method: "POST", path: "/api/session", keys: ["token", "next"] },
  { method: "POST", path: "/api/deployments", keys: ["engine", "model", "name", "node", "gpus", "image", "ctx", "port", "servedName", "extraArgs", "options", "restart", "startupTimeoutS"] },
  { method: "POST", path: "/api/fit", keys: ["model", "engine", "ctx", "parallel", "kvDtype", "quant", "gpuMem", "freeBytes", "util", "tp", "facts"] },
  { method: "POST", path: "/api/fit/matrix", keys: ["model", "engine", "ctx", "parallel", "kvDtype", "quant", "util", "tp", "facts"] },
  { method: "PUT", path: "/api/secrets/hf-token", keys: ["value"] },
  { method: "POST", path: "/api/gateway/routes", keys: ["model", "targets"] },
  { method: "POST", path: "/api/gateway/keys", keys: ["name", "models"] },
];

/** Routes with path parameters or queries: hostile segments and values. */
const TARGET_ROUTES: Array<{ method: string; make: (seg: string, q: string) => string }> = [
  { method: "GET", make: (s) => `/api/nodes/${s}` },
  { method: "GET", make: (s, q) => `/api/nodes/${s}/history?range=${q}` },
  { method: "DELETE", make: (s) => `/api/nodes/${s}` },
  { method: "GET", make: (s) => `/api/deployments/${s}` },
  { method: "DELETE", make: (s) => `/api/deployments/${s}` },
  { method: "POST", make: (s) => `/api/deployments/${s}/restart` },
  { method: "GET", make: (s, q) => `/api/deployments/${s}/logs?tail=${q}` },
  { method: "DELETE", make: (s) => `/api/gateway/routes/${s}` },
  { method: "DELETE", make: (s) => `/api/gateway/keys/${s}` },
  { method: "GET", make: (_s, q) => `/api/gateway/requests?limit=${q}&before=${q}&model=${q}&failed=${q}` },
  { method: "GET", make: (_s, q) => `/api/fit/calibrations?limit=${q}` },
];

/** Raw percent-encodings, good and bad, are left as they are: encodeURIComponent would repair them. */
const segment = fc.oneof(
  fc.string({ minLength: 1, maxLength: 30 }).map(encodeURIComponent),
  fc.constantFrom("%", "%zz", "%E0%A4%A", "%C0%AF", "%00", "..", "%2e%2e", "%2F", "100%25", "a%2Fb", "%25%32%35", "x".repeat(3000), "%F0%9F%92%A5"),
).filter((s) => decodeSafe(s) !== "keep-route");

function decodeSafe(s: string): string | null {
  try {
    return decodeURIComponent(s);
  } catch {
    return null;
  }
}

describe("generated hostile input against every REST API schema", () => {
  let server: TestServer;
  let dir: string;
  let sent = 0;
  const serverErrors: string[] = [];

  async function send(method: string, target: string, body: string | undefined, type: string | undefined, auth = true): Promise<void> {
    const headers: Record<string, string> = {};
    if (auth) headers.authorization = `Bearer ${ADMIN_TOKEN}`;
    if (type) headers["content-type"] = type;
    const res = await fetch(`${server.url}${target}`, { method, headers, body: method === "GET" || method === "HEAD" ? undefined : body, redirect: "manual" });
    const text = await res.text();
    sent += 1;
    if (res.status >= 500) serverErrors.push(`${method} ${target.slice(0, 120)} ${(body ?? "").slice(0, 120)} → ${res.status} ${text.slice(0, 200)}`);
    if (res.status >= 400 && (res.headers.get("content-type") ?? "").includes("json")) {
      const parsed = JSON.parse(text) as { error?: { code?: unknown; message?: unknown } };
      expect(typeof parsed.error?.code).toBe("string");
      expect(typeof parsed.error?.message).toBe("string");
    }
  }

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "switchyard-hostile-"));
    const config = path.join(dir, "switchyard.yaml");
    fs.writeFileSync(config, "backends:\n  - name: cloud\n    url: http://127.0.0.1:9\n    api: openai\n");
    server = await startServer({ env: { SWITCHYARD_CONFIG: config } });
    const json = { "content-type": "application/json" };
    expect((await server.api("/api/gateway/routes", { method: "POST", headers: json, body: JSON.stringify({ model: "keep-route", targets: ["cloud/m"] }) })).status).toBe(201);
    expect((await server.api("/api/gateway/keys", { method: "POST", headers: json, body: JSON.stringify({ name: "keep-key" }) })).status).toBe(201);
    expect((await server.api("/api/secrets/hf-token", { method: "PUT", headers: json, body: JSON.stringify({ value: "hf_keep_this_token" }) })).status).toBe(204);
  });

  afterAll(async () => {
    await server?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  for (const route of BODY_ROUTES) {
    it(`${route.method} ${route.path}: bodies shaped like its schema, with hostile values`, async () => {
      await fc.assert(fc.asyncProperty(shaped(route.keys), contentType, async (body, type) => send(route.method, route.path, body, type)), { numRuns: 300 });
      expect(serverErrors).toEqual([]);
    });

    it(`${route.method} ${route.path}: raw bodies it does not expect, signed in and not`, async () => {
      await fc.assert(fc.asyncProperty(rawBody, contentType, fc.boolean(), async (body, type, auth) => send(route.method, route.path, body, type, auth)), { numRuns: 150 });
      for (const body of RAW_BODIES) await send(route.method, route.path, body, "application/json");
      expect(serverErrors).toEqual([]);
    });
  }

  it("hostile path parameters and query strings on every route that takes them", async () => {
    for (const route of TARGET_ROUTES) {
      await fc.assert(fc.asyncProperty(segment, segment, async (seg, q) => send(route.method, route.make(seg, q), undefined, undefined)), { numRuns: 80 });
    }
    expect(serverErrors).toEqual([]);
  });

  it("refuses a key for more models, or a route through more targets, than any fleet has (each is walked per request)", async () => {
    const json = { "content-type": "application/json" };
    const cases: Array<[string, unknown, RegExp]> = [
      ["/api/gateway/keys", { name: "many", models: Array.from({ length: 50_000 }, (_, i) => `m${i}`) }, /at most 100 models/],
      ["/api/gateway/keys", { name: "long", models: ["m".repeat(5000)] }, /at most 200 characters/],
      ["/api/gateway/routes", { model: "wide", targets: Array.from({ length: 50_000 }, () => "cloud/m") }, /at most 32 targets/],
      ["/api/gateway/routes", { model: "group", targets: [Array.from({ length: 1000 }, () => "cloud/m")] }, /at most 32 targets/],
    ];
    for (const [target, body, why] of cases) {
      const res = await server.api(target, { method: "POST", headers: json, body: JSON.stringify(body) });
      const text = await res.text();
      expect(res.status, text.slice(0, 200)).toBe(400);
      expect(text).toMatch(why);
    }
    const keys = (await (await server.api("/api/gateway/keys")).json()) as Array<{ name: string }>;
    expect(keys.map((k) => k.name).filter((n) => n === "many" || n === "long")).toEqual([]);
    const routes = (await (await server.api("/api/gateway/routes")).json()) as Array<{ model: string }>;
    expect(routes.map((r) => r.model).filter((m) => m === "wide" || m === "group")).toEqual([]);
  });

  it("lost nothing: the server is up, and what was stored before is still there", async () => {
    expect(sent).toBeGreaterThan(3000);
    expect(server.proc.child.exitCode).toBeNull();
    expect((await fetch(`${server.url}/api/health`)).status).toBe(200);
    const routes = (await (await server.api("/api/gateway/routes")).json()) as Array<{ model: string }>;
    expect(routes.map((r) => r.model)).toContain("keep-route");
    const keys = (await (await server.api("/api/gateway/keys")).json()) as Array<{ name: string }>;
    expect(keys.map((k) => k.name)).toContain("keep-key");
    expect(await (await server.api("/api/secrets")).json()).toEqual({ hfToken: true });
    expect(server.proc.text()).not.toMatch(/unhandled API error|"level":50|"level":60/);
    // Prototype pollution would show as a stray property on every object of the server's JSON.
    expect(JSON.stringify(await (await server.api("/api/nodes")).json())).not.toContain("polluted");
  });
});
