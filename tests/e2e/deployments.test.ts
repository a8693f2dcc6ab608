/**
 * The deployments page in a real browser against a real server, agent, Docker Engine and
 * llama.cpp image: the deploy form shows the equivalent command, deploys, the table shows the
 * deployment ready with its endpoint, its live logs stream in, and Stop removes it and its
 * container. Artifact: test-results/deployments.png.
 */
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openPage, signIn } from "../helpers/browser";
import { writeTinyLlamaGguf } from "../fixtures/gguf/writer";
import { chat, nodeContainers, startDeployAgent } from "../helpers/deploy";
import { TEST_IMAGE, cleanupContainers, dockerSkipReason } from "../helpers/docker";
import { ADMIN_TOKEN, startServer, waitForNodesOnline, type Proc, type TestServer } from "../helpers/processes";

const NODE = `deploy-ui-${process.pid}`;
const skip = await dockerSkipReason();

describe.skipIf(skip !== null)(`deployments page in Chromium${skip ? ` (skipped: ${skip})` : ""}`, () => {
  let dir: string;
  let model: string;
  let server: TestServer;
  let agent: Proc;
  let browser: Browser;
  let page: Page;
  let pageErrors: string[] = [];

  beforeAll(async () => {
    await cleanupContainers({ "switchyard.node": NODE });
    dir = await fs.mkdtemp(path.join(os.tmpdir(), "switchyard-deploy-ui-"));
    model = path.join(dir, "tiny.gguf");
    await writeTinyLlamaGguf(model, { deterministicWord: "Pong" });
    server = await startServer();
    agent = startDeployAgent(server, NODE, { portRange: "28500-28599" });
    await waitForNodesOnline(server, [NODE]);
    ({ browser, page, pageErrors } = await openPage());
    page.on("dialog", (d) => void d.accept()); // the Stop confirmation
  });

  afterAll(async () => {
    await browser?.close();
    await agent?.stop();
    await server?.stop();
    await cleanupContainers({ "switchyard.node": NODE });
    await fs.rm(dir, { recursive: true, force: true });
  });

  it("signs in and reaches the page from the navigation", async () => {
    await signIn(page, server.url, ADMIN_TOKEN);
    await page.getByTestId("nav-deployments").click();
    await page.waitForURL((u) => u.pathname === "/deployments");
    await page.getByTestId("no-deployments").waitFor();
  });

  it("shows the equivalent CLI command while the form is filled in, and deploys", async () => {
    await page.getByTestId("deploy-open").click();
    await page.getByTestId("deploy-model").fill(model);
    await page.getByTestId("deploy-name").fill("ui-tiny");
    await page.getByTestId("deploy-node").selectOption(NODE);
    await page.getByTestId("deploy-gpus-none").click();
    await page.getByTestId("deploy-image").fill(TEST_IMAGE);
    await page.getByTestId("deploy-ctx").fill("2048");
    expect(await page.getByTestId("deploy-cli").textContent()).toBe(
      `npx switchyard deploy llamacpp ${model} --name ui-tiny --node ${NODE} --gpus none --image ${TEST_IMAGE} --ctx 2048`,
    );
    await page.getByTestId("deploy-submit").click();

    const row = page.locator('[data-testid="deployment-row"][data-name="ui-tiny"]');
    await row.locator('[data-state="ready"]').waitFor({ timeout: 30_000 });
    const endpoint = (await row.getByTestId("deployment-endpoint").textContent())!;
    expect(endpoint).toMatch(/^http:\/\/127\.0\.0\.1:285\d\d$/);
    expect(await chat(endpoint, "ui-tiny")).toBe("Pong");
  });

  it("streams the container's logs live", async () => {
    // The page opens the new deployment's logs by itself.
    await page.waitForFunction(() => (document.querySelector('[data-testid="log-lines"]')?.textContent ?? "").includes("listening on"));
    await page.screenshot({ path: path.resolve("test-results", "deployments.png"), fullPage: true });
  });

  it("a deploy the node refuses shows the reason in the form", async () => {
    await page.getByTestId("deploy-open").click();
    await page.getByTestId("deploy-model").fill(path.join(dir, "missing.gguf"));
    await page.getByTestId("deploy-node").selectOption(NODE);
    await page.getByTestId("deploy-gpus-none").click();
    await page.getByTestId("deploy-image").fill(TEST_IMAGE);
    await page.getByTestId("deploy-submit").click();
    expect(await page.getByTestId("deploy-error").textContent()).toMatch(/model file .*missing\.gguf does not exist on deploy-ui-\d+/);
    await page.getByTestId("deploy-open").click(); // close the form
  });

  it("stops it: the row goes, and so does the container", async () => {
    const row = page.locator('[data-testid="deployment-row"][data-name="ui-tiny"]');
    await row.getByTestId("deployment-stop").click();
    await row.waitFor({ state: "detached" });
    expect(await nodeContainers(NODE)).toEqual([]);
    expect(pageErrors).toEqual([]);
  });
});
