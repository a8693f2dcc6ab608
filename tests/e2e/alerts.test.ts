/**
 * The Alerts page in a real browser (Chromium) against a real server and agent: a killed agent
 * shows as firing (and as a badge in the navigation), a channel test is sent from its button, a
 * dashboard channel is added (its secret topic never shown) and a rule made with it, the history
 * says where it was notified; the badge goes when the agent is back.
 */
import { mkdir } from "node:fs/promises";
import path from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { httpSink, type HttpSink } from "../helpers/alert-sinks";
import { openPage, signIn } from "../helpers/browser";
import { startGateway, type GatewayServer } from "../helpers/gateway";
import { ADMIN_TOKEN, startAgent, waitFor, type Proc } from "../helpers/processes";

const ARTIFACTS = path.resolve("test-results");
const GONE = `e2e-alerts-${process.pid}-gone`;
const SECRET_TOPIC = "my-secret-topic-4711";

let sink: HttpSink;
let server: GatewayServer;
let agent: Proc;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  sink = await httpSink();
  server = await startGateway(`
alerts:
  channels:
    - {name: hook, url: "${sink.url}/hook/s3cret-path"}
  rules:
    - {when: node-offline, for: 1s, nodes: ["*-gone"], notify: [hook]}
`, { env: { SWITCHYARD_OFFLINE_AFTER_S: "2" } });
  agent = startAgent({ server: server.url, name: GONE, gpus: "h100" });
  ({ browser, page } = await openPage({ width: 1440, height: 1000 }));
  await signIn(page, server.url, ADMIN_TOKEN);
  await mkdir(ARTIFACTS, { recursive: true });
}, 90_000);

afterAll(async () => {
  await browser?.close();
  await agent?.stop();
  await server?.stop();
  await sink?.close();
});

describe("alerts page", () => {
  it("shows what fires, with a badge in the navigation", async () => {
    await waitFor("the agent online", async () => ((await (await server.api(`/api/nodes/${GONE}`)).json()) as { online?: boolean }).online, 30_000);
    await agent.stop("SIGKILL");
    await page.click('[data-testid="nav-alerts"]');
    await page.waitForSelector(`[data-testid="alerts-firing-row"][data-kind="node-offline"]`, { timeout: 30_000 });
    expect(await page.locator('[data-testid="alerts-firing-row"]').textContent()).toContain(`node ${GONE} is offline`);
    await page.waitForSelector('[data-testid="nav-alerts-badge"]', { timeout: 15_000 });
    expect((await page.locator('[data-testid="nav-alerts-badge"]').textContent())?.trim()).toBe("1");
    await waitFor("the webhook told", () => sink.at("/hook").length > 0, 10_000);
  });

  it("sends a test from a channel's button, and shows config channels masked", async () => {
    const row = page.locator('[data-testid="alerts-channel"][data-name="hook"]');
    expect(await row.locator('[data-testid="alerts-channel-url"]').textContent()).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/•••\/s3c•••$/);
    const before = sink.at("/hook").length;
    await row.locator('[data-testid="alerts-channel-test"]').click();
    await page.waitForSelector('[data-testid="alerts-test-result"][data-ok="true"]');
    expect(sink.at("/hook").length).toBe(before + 1);
    expect(sink.at("/hook").at(-1)!.json).toMatchObject({ rule: "test", test: true });
  });

  it("adds a dashboard channel (its secret never shown) and a rule that uses it", async () => {
    await page.fill("#alerts-channel-name", "phone");
    await page.fill("#alerts-channel-url", `ntfy+http://${sink.url.slice(7)}/${SECRET_TOPIC}`);
    await page.click('[data-testid="alerts-channel-form"] button[type=submit]');
    await page.waitForSelector('[data-testid="alerts-channel"][data-name="phone"]');
    expect(await page.locator('[data-testid="alerts-channel"][data-name="phone"] [data-testid="alerts-channel-url"]').textContent()).toMatch(/^ntfy\+http:\/\/127\.0\.0\.1:\d+\/my-•••$/);

    await page.click('[data-testid="alerts-rule-new"]');
    await page.fill("#alerts-rule-name", "hot-gpus");
    await page.selectOption("#alerts-rule-when", "gpu-temperature");
    await page.fill("#alerts-rule-above", "80");
    await page.fill("#alerts-rule-for", "2m");
    await page.check('[data-testid="alerts-rule-notify"][data-channel="phone"]');
    await page.click('[data-testid="alerts-rule-form"] button[type=submit]');
    await page.waitForSelector('[data-testid="alerts-rule"][data-name="hot-gpus"]');
    const rules = (await (await server.api("/api/alerts/rules")).json()) as Array<{ name: string }>;
    expect(rules.find((r) => r.name === "hot-gpus")).toMatchObject({ when: "gpu-temperature", above: 80, for: "2m", notify: ["phone"], source: "ui" });

    // A bad URL is refused with the reason, on the form.
    await page.fill("#alerts-channel-name", "evil");
    await page.fill("#alerts-channel-url", "file:///etc/passwd");
    await page.click('[data-testid="alerts-channel-form"] button[type=submit]');
    await page.waitForSelector('[data-testid="alerts-channel-error"]');
    expect(await page.locator('[data-testid="alerts-channel-error"]').textContent()).toMatch(/scheme 'file' is not a channel/);
    await page.reload();
    await page.waitForSelector('[data-testid="alerts-channel"][data-name="phone"]');
    const html = await page.content();
    expect(html).not.toContain(SECRET_TOPIC);
    expect(html).not.toContain("s3cret-path");
  });

  it("lists the history with where it was notified; the badge goes when the node is back", async () => {
    await page.waitForSelector('[data-testid="alerts-history-row"][data-kind="node-offline"] [data-testid="alerts-delivery"][data-status="sent"]');
    expect(await page.locator('[data-testid="alerts-history-row"][data-kind="node-offline"]').textContent()).toContain("hook · firing");
    await page.screenshot({ path: path.join(ARTIFACTS, "alerts.png"), fullPage: true });
    agent = startAgent({ server: server.url, name: GONE, gpus: "h100" });
    await page.waitForSelector('[data-testid="alerts-none-firing"]', { timeout: 30_000 });
    await page.waitForSelector('[data-testid="nav-alerts-badge"]', { state: "detached", timeout: 15_000 });
  });
});
