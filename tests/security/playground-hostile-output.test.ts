/**
 * Model output is untrusted. A real llama.cpp server whose generated model answers with HTML,
 * script and javascript: links, through the real gateway, into the playground in Chromium: all of
 * it shows as text, nothing runs — not when it streams in, not when a link is clicked, not when the
 * conversation is restored from the browser's storage.
 */
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeTinyLlamaGguf } from "../fixtures/gguf/writer";
import { openPage, signIn } from "../helpers/browser";
import { startGateway, type GatewayServer } from "../helpers/gateway";
import { startLlamaServer, type LlamaServer } from "../helpers/llama";
import { rootfsSkipReason } from "../helpers/llama-rootfs";
import { ADMIN_TOKEN } from "../helpers/processes";

const HOSTILE = [
  `<img src=x onerror="window.__pwned='img'"> <script>window.__pwned='script'</script> <svg onload="window.__pwned='svg'">`,
  `[click me](javascript:window.__pwned='link') <a href="javascript:window.__pwned='a'" id="evil">evil</a> [data](data:text/html,<script>parent.__pwned='data'</script>)`,
  "",
  "```html",
  `<iframe src="javascript:window.__pwned='iframe'"></iframe>`,
  "```",
].join("\n");

const skip = await rootfsSkipReason();

describe.skipIf(skip !== null)(`hostile model output in the playground${skip ? ` (skipped: ${skip})` : ""}`, () => {
  let dir: string;
  let llama: LlamaServer;
  let gw: GatewayServer;
  let browser: Browser;
  let page: Page;
  let pageErrors: string[];
  const dialogs: string[] = [];

  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), "switchyard-hostile-"));
    await writeTinyLlamaGguf(path.join(dir, "hostile.gguf"), { deterministicWord: HOSTILE });
    llama = await startLlamaServer({ model: path.join(dir, "hostile.gguf"), via: "chroot", ctx: 4096, extraArgs: ["-a", "tiny"] });
    gw = await startGateway(`apiKeys: []
backends:
  - {name: llama, url: "${llama.url}", api: openai, kind: llamacpp}
routes:
  - {model: hostile, targets: [llama/tiny]}
`);
    ({ browser, page, pageErrors } = await openPage());
    page.on("dialog", (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    await signIn(page, gw.url, ADMIN_TOKEN);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await gw?.stop();
    await llama?.stop();
    if (dir) await fs.rm(dir, { recursive: true, force: true });
  });

  async function expectInert(): Promise<void> {
    const answer = page.getByTestId("answer").last();
    expect(await answer.locator("img, script, svg, iframe, object, embed").count()).toBe(0);
    for (const href of await answer.locator("a").evaluateAll((as) => as.map((a) => a.getAttribute("href")))) expect(href).toMatch(/^https?:/);
    expect(await page.locator("#evil").count()).toBe(0);
    expect(await page.evaluate(() => (window as unknown as { __pwned?: string }).__pwned)).toBeUndefined();
    expect(dialogs).toEqual([]);
    expect(pageErrors).toEqual([]);
  }

  it("shows the answer as text and runs none of it", async () => {
    await page.goto(`${gw.url}/playground`);
    await page.getByLabel("Model", { exact: true }).selectOption("hostile");
    await page.locator("textarea#pg-prompt").fill("Say something");
    await page.getByRole("button", { name: "Send" }).click();
    const answer = page.getByTestId("answer").last();
    await answer.getByTestId("answer-stats").waitFor();
    // The tags are on the page as text (Markdown may still embolden a __word__ between them).
    const text = (await answer.textContent()) ?? "";
    for (const piece of ["<img src=x onerror=", "<script>", "<svg onload=", "[click me](javascript:", `<a href="javascript:`, "[data](data:text/html,"]) expect(text).toContain(piece);
    expect(await answer.getByTestId("md-code").locator("pre").textContent()).toBe(`<iframe src="javascript:window.__pwned='iframe'"></iframe>`);
    await expectInert();
  });

  it("clicking in the answer runs nothing", async () => {
    const answer = page.getByTestId("answer").last();
    await answer.getByText("[click me]", { exact: false }).click();
    await answer.locator("p").first().click();
    await expectInert();
  });

  it("restored from the browser's storage, it is still inert", async () => {
    await page.reload();
    await page.getByTestId("answer").last().getByTestId("answer-stats").waitFor();
    await expectInert();
  });
});
