/**
 * Models on demand on the dashboard, in a real browser against a real server, agent, Docker Engine
 * and llama.cpp image: the deploy form registers one (the command it shows says --on-demand), the
 * table shows it standby, Load brings it to ready with its idle countdown and the memory it holds,
 * Unload returns it to standby, and the routes page's request log shows how long a request waited
 * for a load. Artifact: test-results/ondemand.png.
 */
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openPage, signIn } from "../helpers/browser";
import { writeTinyLlamaGguf } from "../fixtures/gguf/writer";
import { nodeContainers, startDeployAgent } from "../helpers/deploy";
import { TEST_IMAGE, cleanupContainers, dockerSkipReason } from "../helpers/docker";
import { GATEWAY_KEY } from "../helpers/gateway";
import { ADMIN_TOKEN, startServer, waitFor, waitForNodesOnline, type Proc, type TestServer } from "../helpers/processes";

const NODE = `ondemand-ui-${process.pid}`;
const skip = await dockerSkipReason();

describe.skipIf(skip !== null)(`models on demand on the dashboard${skip ? ` (skipped: ${skip})` : ""}`, () => {
  let dir: string;
  let model: string;
  let server: TestServer;
  let agent: Proc;
  let browser: Browser;
  let page: Page;
  let pageErrors: string[] = [];
  const row = () => page.locator('[data-testid="deployment-row"][data-name="ui-cold"]');

  beforeAll(async () => {
    await cleanupContainers({ "switchyard.node": NODE });
    dir = await fs.mkdtemp(path.join(os.tmpdir(), "switchyard-ondemand-ui-"));
    model = path.join(dir, "tiny.gguf");
    await writeTinyLlamaGguf(model, { deterministicWord: "Pong" });
    const config = path.join(dir, "switchyard.yaml");
    await fs.writeFile(config, `apiKeys:\n  - {name: tests, key: ${GATEWAY_KEY}}\n`);
    server = await startServer({ env: { SWITCHYARD_CONFIG: config } });
    agent = startDeployAgent(server, NODE, { portRange: "28700-28799" });
    await waitForNodesOnline(server, [NODE]);
    ({ browser, page, pageErrors } = await openPage());
  });

  afterAll(async () => {
    await browser?.close();
    await agent?.stop();
    await server?.stop();
    await cleanupContainers({ "switchyard.node": NODE });
    await fs.rm(dir, { recursive: true, force: true });
  });

  it("registers from the form: standby, nothing running", async () => {
    await signIn(page, server.url, ADMIN_TOKEN);
    await page.goto(`${server.url}/deployments`);
    await page.getByTestId("deploy-open").click();
    await page.getByTestId("deploy-model").fill(model);
    await page.getByTestId("deploy-name").fill("ui-cold");
    await page.getByTestId("deploy-node").selectOption(NODE);
    await page.getByTestId("deploy-gpus-none").click();
    await page.getByTestId("deploy-image").fill(TEST_IMAGE);
    await page.getByTestId("deploy-ctx").fill("2048");
    await page.getByTestId("deploy-ondemand-on").check();
    await page.getByTestId("deploy-idle-timeout").fill("10m");
    expect(await page.getByTestId("deploy-cli").textContent()).toBe(
      `npx switchyard deploy llamacpp ${model} --name ui-cold --node ${NODE} --gpus none --image ${TEST_IMAGE} --ctx 2048 --on-demand --idle-timeout 10m`,
    );
    await page.getByTestId("deploy-submit").click();
    await row().locator('[data-state="standby"]').waitFor();
    expect(await page.getByTestId("ondemand-detail").textContent()).toMatch(/nothing runs: loads on the next request/);
    expect(await nodeContainers(NODE)).toEqual([]);
  });

  it("Load brings it to ready: the idle countdown and the memory it holds show; Unload returns it to standby", async () => {
    await row().getByTestId("deployment-load").click();
    await row().locator('[data-state="ready"]').waitFor({ timeout: 30_000 });
    await page.getByTestId("ondemand-idle").waitFor();
    expect(await page.getByTestId("ondemand-idle").textContent()).toMatch(/unloads in (9m\d+s|10m)/);
    expect(await page.getByTestId("ondemand-held").textContent()).toMatch(/holds .*CPU/);
    await page.screenshot({ path: path.resolve("test-results", "ondemand.png"), fullPage: true });
    await row().getByTestId("deployment-unload").click();
    await row().locator('[data-state="standby"]').waitFor({ timeout: 30_000 });
    expect(await nodeContainers(NODE)).toEqual([]);
  });

  it("the request log shows that a request waited for a load, and how long", async () => {
    const res = await fetch(`${server.url}/v1/chat/completions`, {
      method: "POST", headers: { authorization: `Bearer ${GATEWAY_KEY}`, "content-type": "application/json" },
      body: JSON.stringify({ model: "ui-cold", messages: [{ role: "user", content: "hi" }], max_tokens: 4 }),
    });
    expect(res.status).toBe(200);
    await page.goto(`${server.url}/routes`);
    const wait = page.getByTestId("gw-requests").getByTestId("gw-load-wait").first();
    await wait.waitFor();
    await waitFor("the load wait in the request log", async () => /^\d+ ms$/.test((await wait.textContent()) ?? ""), 15_000);
    expect(pageErrors).toEqual([]);
  });

  it("the playground says a model is in standby, and its first message loads it and is answered", async () => {
    expect((await server.api("/api/deployments/ui-cold/unload", { method: "POST" })).status).toBeLessThan(300);
    await waitFor("ui-cold in standby", async () => ((await (await server.api("/api/deployments/ui-cold")).json()) as { state: string }).state === "standby", 30_000);
    await page.goto(`${server.url}/playground`);
    const model = page.getByLabel("Model", { exact: true });
    await expect.poll(async () => model.locator("option").allTextContents()).toContain("ui-cold");
    await model.selectOption("ui-cold");
    const badge = page.getByTestId("pane").first().getByTestId("pane-loading");
    await expect.poll(async () => badge.textContent(), { timeout: 15_000 }).toBe("standby: loads on the first message");
    await page.locator("textarea#pg-prompt").fill("hi");
    await page.getByRole("button", { name: "Send" }).click();
    const answer = page.getByTestId("pane").first().getByTestId("answer").last();
    await answer.getByTestId("answer-stats").waitFor({ timeout: 60_000 });
    expect(await answer.textContent()).toContain("Pong");
    await badge.waitFor({ state: "detached", timeout: 15_000 });
    expect(pageErrors).toEqual([]);
  });
});
