/**
 * The web findings, replayed against the real server (real sockets, Chromium). What broke before:
 * the sign-in form had no method, so pressed before its script loaded it sent
 * `GET /login?token=ADMIN_TOKEN`; `next` could leave the site (`/\evil.example/`); sign-out left the
 * 30-day cookie valid; the page gate matched raw URL prefixes (`/login/../keys` served a page);
 * no CSP or frame-ancestors; `DELETE /api/gateway/routes/100%25` was a 500; `/api/fit` echoed the
 * first bytes of any server file.
 */
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CHROMIUM, CHROMIUM_ARGS } from "../helpers/browser";
import { ADMIN_TOKEN, startAgent, startServer, waitFor, type Proc, type TestServer } from "../helpers/processes";
import { openRaw, requestHead } from "../helpers/raw-http";

const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();
const FORM = { "content-type": "application/x-www-form-urlencoded" };

describe("the dashboard's web surface, as an attacker on the LAN sees it", () => {
  let server: TestServer;
  let agent: Proc;
  let browser: Browser;
  const contexts: BrowserContext[] = [];

  async function newPage(opts: { javaScriptEnabled?: boolean } = {}): Promise<{ page: Page; urls: string[]; errors: string[]; violations: string[] }> {
    const context = await browser.newContext({ javaScriptEnabled: opts.javaScriptEnabled ?? true });
    contexts.push(context);
    const page = await context.newPage();
    page.setDefaultTimeout(20_000);
    const urls: string[] = [];
    const errors: string[] = [];
    const violations: string[] = [];
    page.on("request", (r) => urls.push(r.url()));
    page.on("pageerror", (e) => errors.push(String(e)));
    page.on("console", (m) => {
      if (/Content.Security.Policy|Refused to (execute|load|apply|connect|frame)/i.test(m.text())) violations.push(m.text());
    });
    await page.addInitScript(() => {
      document.addEventListener("securitypolicyviolation", (e) =>
        console.error(`Refused to ${e.effectiveDirective}: Content Security Policy ${e.blockedURI} at ${e.sourceFile}:${e.lineNumber}:${e.columnNumber} on ${location.pathname}`));
    });
    return { page, urls, errors, violations };
  }

  /** A signed-in session cookie (`sy_session=…`), made through the JSON sign-in. */
  async function signInCookie(): Promise<string> {
    const res = await fetch(`${server.url}/api/session`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ token: ADMIN_TOKEN }) });
    expect(res.status).toBe(204);
    return (res.headers.get("set-cookie") ?? "").split(";")[0]!;
  }

  const withCookie = (cookie: string, init: RequestInit = {}) => ({ ...init, redirect: "manual" as const, headers: { ...(init.headers as Record<string, string>), cookie } });

  beforeAll(async () => {
    server = await startServer();
    agent = startAgent({ server: server.url, name: "web-box", gpus: "rtx-4080-super" });
    await waitFor("the agent online", async () => ((await (await server.api("/api/nodes")).json()) as unknown[]).length === 1, 30_000);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  });

  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => {});
    await browser?.close();
    await agent?.stop();
    await server?.stop();
  });

  it("signs in without the page's script: the form posts, and the token never lands in a URL", async () => {
    const { page, urls } = await newPage({ javaScriptEnabled: false });
    await page.goto(`${server.url}/keys`);
    expect(new URL(page.url()).pathname).toBe("/login");
    await page.fill('input[type="password"]', "wrong-token-typed-fast");
    await page.press('input[type="password"]', "Enter");
    await page.waitForURL((u) => u.searchParams.get("error") === "invalid");
    expect(await page.getByTestId("login-error").textContent()).toMatch(/not valid/);
    await page.fill('input[type="password"]', ADMIN_TOKEN);
    await page.press('input[type="password"]', "Enter");
    await page.waitForURL((u) => u.pathname === "/keys");
    expect(urls.filter((u) => u.includes(ADMIN_TOKEN) || u.includes("wrong-token-typed-fast"))).toEqual([]);
    expect((await page.context().cookies()).find((c) => c.name === "sy_session")).toMatchObject({ httpOnly: true, sameSite: "Lax" });
  });

  it("signs in when Enter is pressed before the script has loaded", async () => {
    const { page, urls } = await newPage();
    // Hold every script until after the form was submitted: the page is not hydrated yet.
    const held: Array<() => Promise<void>> = [];
    await page.route("**/_next/static/**/*.js", (route) => void held.push(() => route.continue()));
    await page.goto(`${server.url}/login`, { waitUntil: "domcontentloaded" });
    await page.fill('input[type="password"]', ADMIN_TOKEN);
    await page.press('input[type="password"]', "Enter");
    await page.waitForURL((u) => u.pathname === "/", { waitUntil: "commit" });
    await page.unroute("**/_next/static/**/*.js");
    await Promise.all(held.map((c) => c().catch(() => {})));
    expect(urls.filter((u) => u.includes(ADMIN_TOKEN))).toEqual([]);
  });

  it("sends a signed-in browser only to a path on this site (next)", async () => {
    const hostile = ["/\\evil.example/", "//evil.example", "///evil.example", "https://evil.example/", "https:evil.example", "/%2F%2Fevil.example",
      "/%5Cevil.example", "%2F%2Fevil.example", "/\t/evil.example", "javascript:alert(1)", "\\\\evil.example", "/login?next=//evil.example",
      // Dot segments before `//` resolve to `//evil.example`, a Location that leaves the site (they did).
      "/.//evil.example/", "/%2e//evil.example/", "/a/..//evil.example/"];
    for (const next of hostile) {
      const res = await fetch(`${server.url}/api/session`, { method: "POST", redirect: "manual", headers: FORM, body: form({ token: ADMIN_TOKEN, next }) });
      expect(res.status, next).toBe(303);
      expect(res.headers.get("location"), next).toBe("/");
    }
    const fine = await fetch(`${server.url}/api/session`, { method: "POST", redirect: "manual", headers: FORM, body: form({ token: ADMIN_TOKEN, next: "/nodes/web-box?range=1h" }) });
    expect(fine.headers.get("location")).toBe("/nodes/web-box?range=1h");
    // Nor may the page's script take it elsewhere, nor the form the page renders.
    const html = await (await fetch(`${server.url}/login?next=${encodeURIComponent("/\\evil.example/")}`)).text();
    expect(html).toMatch(/<input type="hidden" name="next" value="\/"\/>/);
    const { page } = await newPage();
    await page.goto(`${server.url}/login?next=${encodeURIComponent("/\\evil.example/")}`);
    // Hydrated: React owns the form, so the script's sign-in (not the form post) is what runs.
    await page.waitForFunction(() => Object.keys(document.querySelector("form") ?? {}).some((k) => k.startsWith("__react")));
    await page.fill('input[type="password"]', ADMIN_TOKEN);
    await page.click('[data-testid="login-submit"]');
    await page.waitForURL((u) => u.pathname === "/");
    expect(new URL(page.url()).host).toBe(new URL(server.url).host);
  });

  it("ends a session on sign-out, and every session on sign-out everywhere", async () => {
    const a = await signInCookie();
    const b = await signInCookie();
    const c = await signInCookie();
    const origin = { origin: server.url };
    expect((await fetch(`${server.url}/api/nodes`, withCookie(a))).status).toBe(200);
    expect((await fetch(`${server.url}/api/session`, withCookie(a, { method: "DELETE", headers: origin }))).status).toBe(204);
    expect((await fetch(`${server.url}/api/nodes`, withCookie(a))).status).toBe(401);
    expect((await fetch(`${server.url}/keys`, withCookie(a))).status).toBe(302);
    expect((await fetch(`${server.url}/api/nodes`, withCookie(b))).status).toBe(200);
    // Another site cannot sign the browser out, nor out everywhere.
    expect((await fetch(`${server.url}/api/sessions`, withCookie(b, { method: "DELETE", headers: { origin: "http://evil.example" } }))).status).toBe(403);
    const everywhere = await fetch(`${server.url}/api/sessions`, withCookie(b, { method: "DELETE", headers: origin }));
    expect(everywhere.status).toBe(200);
    expect(((await everywhere.json()) as { ended: number }).ended).toBeGreaterThanOrEqual(2);
    for (const cookie of [b, c]) {
      expect((await fetch(`${server.url}/api/nodes`, withCookie(cookie))).status).toBe(401);
      expect((await fetch(`${server.url}/`, withCookie(cookie))).status).toBe(302);
    }
  });

  it("gates pages on the canonical path: no spelling of another page passes for /login", async () => {
    const spellings = [
      "/login/../keys", "/login/%2e%2e/keys", "/login/%2E%2E/keys", "/login/.%2e/keys", "/login/..%2fkeys", "/login%2F..%2Fkeys",
      "/login/..\\keys", "/login\\..\\keys", "/login/%5C..%5Ckeys", "//login/../keys", "/login//../keys", "/login/./../keys",
      "/login;/../keys", "/%6Cogin/../keys", "/login/../../keys", "/_next/static/../../keys", "/_next/static/%2e%2e/%2e%2e/keys",
      "/_next/static%2F..%2F..%2Fkeys", "/icon.svg/../keys", "/login/..", "/LOGIN/../keys", "/login/%2e%2e/", "/login/../",
      "/login/../nodes/web-box", "/login/../deployments", "/login/%252e%252e/keys",
    ];
    for (const spelling of spellings) {
      const conn = await openRaw(server.port, requestHead("GET", spelling, { connection: "close" }));
      const answer = await conn.answer;
      conn.socket.destroy();
      expect([302, 400, 404], `${spelling} → ${answer.status}`).toContain(answer.status);
      if (answer.status === 302) expect(answer.headers.location, spelling).toMatch(/^\/login(\?|$)/);
      expect(answer.body, spelling).not.toMatch(/<html/i);
    }
  });

  it("sends a CSP whose nonce every script carries, frame-ancestors 'none', nosniff and a Referrer-Policy", async () => {
    const res = await fetch(`${server.url}/login`);
    const csp = res.headers.get("content-security-policy") ?? "";
    const nonce = /'nonce-([^']+)'/.exec(csp)?.[1];
    expect(nonce).toBeTruthy();
    expect(csp).toMatch(/frame-ancestors 'none'/);
    expect(csp).toMatch(/script-src 'self' 'nonce-[^']+'(;|$)/);
    expect(csp).not.toMatch(/unsafe-eval/);
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(res.headers.get("referrer-policy")).toBe("same-origin");
    const html = await res.text();
    const scripts = html.match(/<script\b[^>]*>/g) ?? [];
    expect(scripts.length).toBeGreaterThan(0);
    for (const tag of scripts) expect(tag).toContain(`nonce="${nonce}"`);
    const again = (await fetch(`${server.url}/login`)).headers.get("content-security-policy");
    expect(again).not.toBe(csp); // a fresh nonce per response
    const api = await fetch(`${server.url}/api/health`);
    expect(api.headers.get("x-content-type-options")).toBe("nosniff");
    expect(api.headers.get("content-security-policy")).toMatch(/frame-ancestors 'none'/);
  });

  it("runs the whole dashboard under that CSP with no violation, and signs out everywhere from the navigation", async () => {
    const { page, errors, violations } = await newPage();
    await page.goto(`${server.url}/login`);
    await page.fill('input[type="password"]', ADMIN_TOKEN);
    await page.click('[data-testid="login-submit"]');
    await page.waitForURL((u) => u.pathname === "/");
    await page.getByTestId("gpu-card").first().waitFor({ timeout: 30_000 });
    await page.locator('[data-testid="live-indicator"][data-status="live"]').waitFor();
    await page.goto(`${server.url}/nodes/web-box`);
    await page.waitForFunction(() => Number(document.querySelector('[data-testid="gpu-chart"][data-metric="util"]')?.getAttribute("data-points")) > 1);
    for (const [nav, path] of [["nav-deployments", "/deployments"], ["nav-fit", "/fit"], ["nav-routes", "/routes"], ["nav-keys", "/keys"], ["nav-alerts", "/alerts"], ["nav-playground", "/playground"], ["nav-benchmarks", "/benchmarks"], ["nav-fleet", "/"]] as const) {
      await page.getByTestId(nav).click();
      await page.waitForURL((u) => u.pathname === path);
      await page.waitForLoadState("networkidle");
    }
    expect(violations).toEqual([]);
    expect(errors).toEqual([]);
    await page.getByTestId("sign-out-everywhere").click();
    await page.waitForURL((u) => u.pathname === "/login");
    await page.goto(`${server.url}/keys`);
    expect(new URL(page.url()).pathname).toBe("/login");
  });

  it("answers bad percent-encodings with a 400 JSON error, never a 500", async () => {
    const cookie = await signInCookie();
    const cases: Array<[string, string, number[]]> = [
      ["DELETE", "/api/gateway/routes/100%25", [404]],
      ["DELETE", "/api/gateway/routes/%E0%A4%A", [400]],
      ["DELETE", "/api/gateway/keys/%zz", [400]],
      ["GET", "/api/nodes/%E0%A4%A", [400]],
      ["GET", "/api/nodes/box%", [400]],
      ["GET", "/api/nodes/web-box/history?range=%E0%A4%A", [400]],
      ["GET", "/api/deployments/%C0%AF/logs", [400]],
      ["GET", "/%E0%A4%A", [400]],
      ["GET", "/nodes/%ZZ", [400]],
      ["GET", "/login?next=%E0%A4%A", [400]],
      ["GET", "/api/nodes/%00", [400]],
    ];
    for (const [method, target, statuses] of cases) {
      const conn = await openRaw(server.port, requestHead(method, target, { authorization: `Bearer ${ADMIN_TOKEN}`, cookie, connection: "close" }));
      const answer = await conn.answer;
      conn.socket.destroy();
      expect(statuses, `${method} ${target} → ${answer.status} ${answer.body}`).toContain(answer.status);
      expect(JSON.parse(answer.body).error.code, target).toMatch(/bad_request|not_found/);
    }
    // A session cookie that does not decode is no session, not an error.
    for (const target of ["/keys", "/api/nodes"]) {
      const res = await fetch(`${server.url}${target}`, { redirect: "manual", headers: { cookie: "sy_session=%E0%A4%A; other=%zz" } });
      expect([302, 401], target).toContain(res.status);
    }
    // Decoded once: the route asked for is the one named `100%`.
    const once = await server.api("/api/gateway/routes/100%25", { method: "DELETE" });
    expect(((await once.json()) as { error: { message: string } }).error.message).toBe("no dashboard route for 100%");
  });

  it("refuses /api/fit on a server file that is not a model, without echoing any of its bytes", async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), "switchyard-fit-secret-"));
    const secret = "SECRETLY-hunter2-private-key-material";
    const files = [path.join(dir, "notes.gguf"), path.join(dir, "notes.txt"), path.join(dir, "id_rsa")];
    for (const f of files) await fs.writeFile(f, `${secret}\n`);
    for (const model of [...files, "/etc/passwd", "/etc/hostname", "/proc/self/environ", dir]) {
      for (const route of ["/api/fit", "/api/fit/matrix"]) {
        const res = await server.api(route, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ model, engine: "llamacpp", ctx: 4096, gpuMem: ["24GiB"] }) });
        const text = await res.text();
        expect(res.status, `${route} ${model}: ${text}`).toBeGreaterThanOrEqual(400);
        expect(res.status, `${route} ${model}: ${text}`).toBeLessThan(500);
        for (let i = 0; i + 4 <= secret.length; i++) expect(text, `${route} ${model}`).not.toContain(secret.slice(i, i + 4));
        expect(text).not.toMatch(/root:|PATH=|SWITCHYARD_ADMIN_TOKEN/);
      }
    }
    await fs.rm(dir, { recursive: true, force: true });
  });
});
