/**
 * The HTTP edge's pure parts: the canonical request target every gate and router sees, and the
 * only-this-site `next` after signing in.
 */
import { describe, expect, it } from "vitest";
import { safeNextPath } from "../../../lib/next-path";
import { isPublicPage } from "../../../server/http/page-gate";
import { parseRequestTarget } from "../../../server/http/request-target";

const canonical = (raw: string) => {
  const t = parseRequestTarget(raw);
  return t.ok ? { path: t.path, url: t.url } : { error: t.message };
};

describe("request target", () => {
  it.each([
    ["/", "/", "/"],
    ["/keys", "/keys", "/keys"],
    ["/login/../keys", "/keys", "/keys"],
    ["/login/%2e%2e/keys", "/keys", "/keys"],
    ["/login/.%2E/keys", "/keys", "/keys"],
    ["/login\\..\\keys", "/keys", "/keys"],
    ["/login/%5C..%5Ckeys", "/login/%5C..%5Ckeys", "/login/%5C..%5Ckeys"],
    ["//login/./../keys", "/keys", "/keys"],
    ["/_next/static/../../keys", "/keys", "/keys"],
    ["/../../etc/passwd", "/etc/passwd", "/etc/passwd"],
    ["/%6Cogin", "/login", "/login"],
    ["/login%2F..%2Fkeys", "/login%2F..%2Fkeys", "/login%2F..%2Fkeys"],
    ["/api/gateway/routes/100%25", "/api/gateway/routes/100%", "/api/gateway/routes/100%25"],
    ["/api/gateway/routes/Qwen%2FQwen3-8B", "/api/gateway/routes/Qwen%2FQwen3-8B", "/api/gateway/routes/Qwen%2FQwen3-8B"],
    ["/nodes/box1/?range=5m", "/nodes/box1/", "/nodes/box1/?range=5m"],
    ["/v1/messages?beta=true", "/v1/messages", "/v1/messages?beta=true"],
    ["http://host:3000/api/nodes?x=1", "/api/nodes", "/api/nodes?x=1"],
    ["/caf%C3%A9", "/café", "/caf%C3%A9"],
  ])("%s → %s", (raw, path, url) => {
    expect(canonical(raw)).toEqual({ path, url });
  });

  it.each(["/api/gateway/routes/%E0%A4%A", "/x%zz", "/%", "/a%C3", "/%00", "/a%0d%0aSet-Cookie:x", "/nodes?range=%E0%A4%A", "*", "", "x".repeat(9000)])(
    "refuses %j",
    (raw) => {
      expect(canonical(raw)).toHaveProperty("error");
    },
  );

  it("lets only the sign-in page and its assets through the gate, by exact path", () => {
    const pass = (raw: string) => {
      const t = parseRequestTarget(raw);
      return t.ok && isPublicPage(t.path);
    };
    expect(["/login", "/%6cogin", "/login?next=/keys", "/_next/static/chunks/a.js", "/icon.svg", "/favicon.ico"].map(pass)).toEqual([true, true, true, true, true, true]);
    for (const raw of ["/login/../keys", "/login%2F..%2Fkeys", "/LOGIN", "/login;/../keys", "/login/x", "/_next/static%2F..%2F..%2Fkeys", "/_next/static/../../keys", "/logins", "/_next/data/x"]) {
      expect(pass(raw), raw).toBe(false);
    }
  });
});

describe("next after sign-in", () => {
  it.each([
    ["/keys", "/keys"],
    ["/nodes/box1?range=1h#gpu0", "/nodes/box1?range=1h#gpu0"],
    ["/deployments/", "/deployments/"],
    ["/a/../keys", "/keys"],
  ])("keeps %s", (raw, expected) => expect(safeNextPath(raw)).toBe(expected));

  it.each([
    "/\\evil.example/", "//evil", "//evil.example/x", "///evil", "https://evil.example", "https:evil.example", "http:/evil",
    "javascript:alert(1)", "/%2F%2Fevil", "/%2fevil.example", "/%5Cevil.example", "/%5cevil", "%2F%2Fevil", "\\\\evil", "/\t/evil.example",
    "/\n/evil", " //evil", "/%09/evil",
    // Dot segments resolve to `//evil` (a Location the browser reads as another host): they were let through.
    "/.//evil.example", "/%2e//evil.example", "/a/..//evil.example", "/%2e%2e//evil", "/././/evil",
    "/%E0%A4%A", "/login", "/login?next=//evil", "", "x", "evil.example", "/".padEnd(3000, "a"),
  ])("refuses %j", (raw) => expect(safeNextPath(raw)).toBe("/"));

  it("refuses anything but a string", () => {
    expect([undefined, null, 5, ["/keys"], {}].map(safeNextPath)).toEqual(["/", "/", "/", "/", "/"]);
  });
});
