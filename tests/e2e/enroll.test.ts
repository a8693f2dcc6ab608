/**
 * "Add a GPU box" in Chromium against the real server: opened through localhost it offers the
 * server's LAN addresses (a command built from "localhost" works only on the server itself), makes
 * a join token with the one-line install, and that token really adds a box; an agent that was
 * turned away shows up in the list of refused agents.
 */
import { mkdir } from "node:fs/promises";
import path from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openPage, signIn } from "../helpers/browser";
import { ADMIN_TOKEN, startAgent, startServer, waitFor, waitForNodesOnline, type Proc, type TestServer } from "../helpers/processes";

describe("Add a GPU box in Chromium", () => {
  let server: TestServer;
  let browser: Browser;
  let page: Page;
  let pageErrors: string[];
  const agents: Proc[] = [];

  beforeAll(async () => {
    server = await startServer();
    ({ browser, page, pageErrors } = await openPage());
    await signIn(page, server.url.replace("127.0.0.1", "localhost"), ADMIN_TOKEN);
  });
  afterAll(async () => {
    await browser?.close();
    await Promise.all(agents.map((a) => a.stop()));
    await server?.stop();
  });

  it("offers the LAN addresses through localhost, and its join token adds a box", async () => {
    const lan = ((await (await server.api("/api/enrollment")).json()) as { lanAddresses: string[] }).lanAddresses;
    await page.getByTestId("enroll-open").click();
    const dialog = page.getByTestId("enroll-dialog");
    await dialog.getByTestId("enroll-command").waitFor();
    const port = String(server.port);
    if (lan.length > 0) {
      const options = await dialog.locator('[data-testid="enroll-server"] option').allTextContents();
      expect(options[0]).toBe(`http://${lan[0]!.includes(":") ? `[${lan[0]}]` : lan[0]}:${port}`);
      expect(options.at(-1)).toBe(`http://localhost:${port}`);
    }
    expect(await dialog.getByTestId("enroll-command").textContent()).not.toContain("localhost");

    await dialog.getByTestId("join-token-make").click();
    const install = (await dialog.getByTestId("join-install-command").textContent()) ?? "";
    expect(install).toMatch(/^curl -fsSL http:\/\/\S+\/agent\/install\.sh \| sudo sh -s -- --token syj_[A-Za-z0-9_-]+$/);
    const npx = (await dialog.getByTestId("join-agent-command").textContent()) ?? "";
    const token = /--token (syj_\S+)/.exec(npx)![1]!;

    // The token, as the box would use it (here against this machine's loopback), adds it once.
    agents.push(startAgent({ server: server.url, name: "joined-box", token }));
    await waitForNodesOnline(server, ["joined-box"], 45_000);
    const again = startAgent({ server: server.url, name: "second-box", token });
    agents.push(again);
    await waitFor("the reused token refused", () => /join token was already used/.test(again.text()), 30_000);

    await page.reload();
    await page.getByTestId("enroll-open").click();
    const row = page.getByTestId("agent-refusal").filter({ hasText: "second-box" });
    await row.waitFor({ timeout: 20_000 });
    expect(await row.textContent()).toMatch(/join_token_used/);
    await mkdir("test-results", { recursive: true });
    await page.getByTestId("enroll-dialog").screenshot({ path: path.resolve("test-results", "enroll.png") });
    expect(pageErrors).toEqual([]);
  });
});
