/**
 * The gateway's dashboard pages in a real browser (Chromium) against a real server: the routes page
 * shows each target's health, live traffic and a failover; the API-keys page creates a key that is
 * shown once and works at once, and revokes it.
 */
import { mkdir } from "node:fs/promises";
import path from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openPage, signIn } from "../helpers/browser";
import { GATEWAY_KEY, json, openAICompletion, scriptedUpstream, startGateway, withHealth, type GatewayServer, type Scripted } from "../helpers/gateway";
import { ADMIN_TOKEN, freePort, waitFor } from "../helpers/processes";

const ARTIFACTS = path.resolve("test-results");

let ok: Scripted;
let busy: Scripted;
let gw: GatewayServer;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  ok = await scriptedUpstream(withHealth((_req, res) => json(res, 200, openAICompletion("m", "hi"))));
  busy = await scriptedUpstream(withHealth((_req, res) => json(res, 529, { error: { message: "Overloaded" } })));
  const dead = await freePort();
  gw = await startGateway(`apiKeys:
  - {name: laptop, key: ${GATEWAY_KEY}}
backends:
  - {name: cloud, url: "http://127.0.0.1:${dead}", api: anthropic, apiKey: sk-ant-e2e-00000000, kind: cloud}
  - {name: box1, url: "${ok.url}", api: openai}
  - {name: box2, url: "${busy.url}", api: openai}
routes:
  - model: claude-sonnet-4-5
    targets: [cloud/claude-sonnet-4-5, [box2/glm-4.5-air, box1/glm-4.5-air]]
`);
  ({ browser, page } = await openPage({ width: 1440, height: 1000 }));
  await signIn(page, gw.url, ADMIN_TOKEN);
  await mkdir(ARTIFACTS, { recursive: true });
}, 90_000);

afterAll(async () => {
  await browser?.close();
  await gw?.stop();
  await ok?.close();
  await busy?.close();
});

describe("gateway pages", () => {
  it("the routes page shows target health, traffic and a failover", async () => {
    for (let i = 0; i < 12; i++) {
      const res = await gw.gw("/v1/chat/completions", { method: "POST", body: JSON.stringify({ model: "claude-sonnet-4-5", messages: [{ role: "user", content: "hi" }] }) });
      expect(res.status).toBe(200);
    }
    await page.click('[data-testid="nav-routes"]');
    await page.waitForSelector('[data-testid="gw-route"][data-model="claude-sonnet-4-5"]');
    const cloud = page.locator('[data-testid="gw-target"][data-target="cloud/claude-sonnet-4-5"] [data-testid="gw-health"]');
    await waitFor("the cloud target shown down", async () => (await cloud.getAttribute("data-availability")) === "down", 10_000);
    const box1 = page.locator('[data-testid="gw-target"][data-target="box1/glm-4.5-air"]');
    expect(await box1.locator('[data-testid="gw-health"]').getAttribute("data-availability")).toBe("up");
    await waitFor("traffic on box1", async () => /12\/min/.test((await box1.textContent()) ?? ""), 10_000);
    expect(await page.locator('[data-testid="gw-failovers"]').textContent()).toContain("box2/glm-4.5-air → box1/glm-4.5-air");
    await page.screenshot({ path: path.join(ARTIFACTS, "gateway-routes.png"), fullPage: true });
  });

  it("a route added in the dashboard routes at once", async () => {
    await page.click('[data-testid="gw-route-new"]');
    await page.fill("#gw-route-model", "local-chat");
    await page.fill("#gw-route-targets", "box1/qwen3-8b");
    await page.click('[data-testid="gw-route-form"] button[type=submit]');
    await page.waitForSelector('[data-testid="gw-route"][data-model="local-chat"]');
    const res = await gw.gw("/v1/chat/completions", { method: "POST", body: JSON.stringify({ model: "local-chat", messages: [{ role: "user", content: "hi" }] }) });
    expect(res.status).toBe(200);
    expect(JSON.parse(ok.calls().at(-1)!.body).model).toBe("qwen3-8b");
  });

  it("the keys page creates a key shown once that works, and revokes it", async () => {
    await page.click('[data-testid="nav-keys"]');
    await page.waitForSelector('[data-testid="gw-key"][data-name="laptop"]');
    await page.fill("#gw-key-name", "new-laptop");
    await page.click('[data-testid="gw-key-form"] button[type=submit]');
    const key = (await page.locator('[data-testid="gw-key-value"]').textContent())!.trim();
    expect(key).toMatch(/^sk-sy-/);
    await page.screenshot({ path: path.join(ARTIFACTS, "gateway-keys.png"), fullPage: true });
    const models = await fetch(`${gw.url}/v1/models`, { headers: { authorization: `Bearer ${key}` } });
    expect(models.status).toBe(200);
    // Nowhere else on the page, and not after a reload: shown once.
    await page.reload();
    await page.waitForSelector('[data-testid="gw-key"][data-name="new-laptop"]');
    expect(await page.content()).not.toContain(key);
    page.once("dialog", (d) => void d.accept());
    await page.locator('[data-testid="gw-key"][data-name="new-laptop"] [data-testid="gw-key-revoke"]').click();
    await waitFor("the key revoked", async () => (await fetch(`${gw.url}/v1/models`, { headers: { authorization: `Bearer ${key}` } })).status === 401, 10_000);
  });
});
