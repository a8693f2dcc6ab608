/**
 * The Playground and the Benchmarks page in a real browser (Chromium) against a real server whose
 * gateway routes to two real llama.cpp servers: one with a generated model that always answers
 * "**Pong**" (Markdown), one with random weights that talks until max_tokens. A failing first
 * target (a scripted upstream that answers 529: a stand-in for an overloaded cloud) shows a
 * failover. Artifacts: test-results/playground.png, test-results/benchmarks.png.
 */
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { BenchmarkView } from "../../protocol/benchmarks";
import type { RequestLogEntry } from "../../protocol/gateway";
import { writeTinyLlamaGguf } from "../fixtures/gguf/writer";
import { openPage, signIn } from "../helpers/browser";
import { GATEWAY_KEY, json, scriptedUpstream, startGateway, withHealth, type GatewayServer, type Scripted } from "../helpers/gateway";
import { startLlamaServer, type LlamaServer } from "../helpers/llama";
import { rootfsSkipReason } from "../helpers/llama-rootfs";
import { ADMIN_TOKEN, waitFor } from "../helpers/processes";

const ARTIFACTS = path.resolve("test-results");
const skip = await rootfsSkipReason();

describe.skipIf(skip !== null)(`playground and benchmarks in Chromium${skip ? ` (skipped: ${skip})` : ""}`, () => {
  let dir: string;
  let pong: LlamaServer;
  let chatter: LlamaServer;
  let overloaded: Scripted;
  let gw: GatewayServer;
  let browser: Browser;
  let page: Page;
  let pageErrors: string[];

  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), "switchyard-pg-"));
    await writeTinyLlamaGguf(path.join(dir, "pong.gguf"), { deterministicWord: "**Pong**" });
    await writeTinyLlamaGguf(path.join(dir, "chatter.gguf"), { embd: 128, layers: 2, seed: 3 });
    [pong, chatter] = await Promise.all([
      startLlamaServer({ model: path.join(dir, "pong.gguf"), via: "chroot", ctx: 4096, parallel: 2, extraArgs: ["-a", "tiny"] }),
      startLlamaServer({ model: path.join(dir, "chatter.gguf"), via: "chroot", ctx: 16384, parallel: 4, extraArgs: ["-a", "tiny"] }),
    ]);
    overloaded = await scriptedUpstream(withHealth((_req, res) => json(res, 529, { error: { type: "overloaded_error", message: "Overloaded" } })));
    gw = await startGateway(`apiKeys:
  - {name: tester, key: ${GATEWAY_KEY}}
backends:
  - {name: llama-pong, url: "${pong.url}", api: openai, kind: llamacpp}
  - {name: llama-chatter, url: "${chatter.url}", api: openai, kind: llamacpp}
  - {name: busy-cloud, url: "${overloaded.url}", api: openai, kind: openai-compatible}
routes:
  - {model: pong, targets: [llama-pong/tiny]}
  - {model: chatter, targets: [llama-chatter/tiny]}
  - {model: pong-after-failover, targets: [busy-cloud/big-model, llama-pong/tiny]}
`);
    ({ browser, page, pageErrors } = await openPage({ width: 1500, height: 1000 }));
    await signIn(page, gw.url, ADMIN_TOKEN);
    await fs.mkdir(ARTIFACTS, { recursive: true });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await gw?.stop();
    await Promise.all([pong?.stop(), chatter?.stop(), overloaded?.close()]);
    if (dir) await fs.rm(dir, { recursive: true, force: true });
  });

  const pane = (i: number) => page.getByTestId("pane").nth(i);
  const lastAnswer = (i: number) => pane(i).getByTestId("answer").last();

  describe("playground", () => {
    it("streams an answer from the model chosen under 'Model', rendered as Markdown, with its figures", async () => {
      await page.getByTestId("nav-playground").click();
      await page.waitForURL((u) => u.pathname === "/playground");
      const model = page.getByLabel("Model", { exact: true });
      await expect.poll(async () => (await model.locator("option").allTextContents()).sort()).toEqual(["chatter", "pong", "pong-after-failover"]);
      await model.selectOption("pong");
      await page.locator("textarea#pg-prompt").fill("Say something");
      await page.getByRole("button", { name: "Send" }).click();
      const answer = lastAnswer(0);
      await answer.getByTestId("answer-stats").waitFor();
      expect(await answer.locator("strong").textContent()).toBe("Pong");
      expect(await answer.getByTestId("answer-ttft").getAttribute("data-value")).toMatch(/^\d+(\.\d+)?$/);
      expect(await answer.getByTestId("answer-tokens").textContent()).toMatch(/^\d+ in · \d+ out$/);
      expect(await answer.getByTestId("answer-backend").getAttribute("data-backend")).toBe("llama-pong");
      expect(await answer.getByTestId("answer-backend").textContent()).toBe("via llama-pong/tiny");
      expect(await page.getByTestId("user-message").last().textContent()).toBe("Say something");
    });

    it("compares two models on one prompt (Ctrl+Enter), each answer with its own decode speed", async () => {
      await page.getByTestId("pg-add-pane").click();
      await page.getByLabel("Compare with").selectOption("chatter");
      await page.getByTestId("pg-maxTokens").fill("200");
      await page.locator("textarea#pg-prompt").fill("Tell me more");
      await page.locator("textarea#pg-prompt").press("Control+Enter");
      await lastAnswer(1).getByTestId("answer-stats").waitFor({ timeout: 60_000 });
      await lastAnswer(0).getByTestId("answer-stats").waitFor();
      expect(await lastAnswer(0).locator("strong").textContent()).toBe("Pong");
      const tps = Number(await lastAnswer(1).getByTestId("answer-tps").getAttribute("data-value"));
      expect(tps).toBeGreaterThan(0);
      expect(await lastAnswer(1).getByTestId("answer-tokens").textContent()).toMatch(/ · 200 out$/);
      expect(((await lastAnswer(1).textContent()) ?? "").length).toBeGreaterThan(50);
      expect(await lastAnswer(1).getByTestId("answer-backend").getAttribute("data-backend")).toBe("llama-chatter");
      // Both went through the gateway as the dashboard, with no key in the browser.
      const log = (await (await gw.api("/api/gateway/requests?limit=20")).json()) as RequestLogEntry[];
      const mine = log.filter((r) => r.endpoint === "chat");
      expect(mine.length).toBeGreaterThanOrEqual(3);
      expect(mine.every((r) => r.keyName === "dashboard" && r.status === 200)).toBe(true);
      await page.screenshot({ path: path.join(ARTIFACTS, "playground.png"), fullPage: true });
    });

    it("shows the request as code for the current model, with a placeholder key", async () => {
      await pane(0).getByTestId("view-code").click();
      const code = pane(0).getByTestId("code-snippet");
      expect(await code.textContent()).toContain(`curl '${gw.url}/v1/chat/completions'`);
      expect(await code.textContent()).toContain("Bearer $SWITCHYARD_API_KEY");
      expect(await code.textContent()).toContain('"model":"pong"');
      expect(await code.textContent()).toContain('"max_tokens":200');
      await pane(0).getByTestId("code-tab-openai").click();
      expect(await code.textContent()).toContain(`OpenAI(base_url="${gw.url}/v1"`);
      await pane(0).getByTestId("code-tab-anthropic").click();
      expect(await code.textContent()).toContain(`Anthropic(base_url="${gw.url}"`);
      await pane(0).getByTestId("code-tab-claude-code").click();
      expect(await code.textContent()).toContain(`export ANTHROPIC_BASE_URL='${gw.url}'`);
      expect(await code.textContent()).toContain("export ANTHROPIC_MODEL='pong'");
      expect(await page.content()).not.toContain(GATEWAY_KEY);
    });

    it("says when an answer came after a failover, and from where", async () => {
      await page.getByLabel("Compare with").selectOption("pong-after-failover");
      await page.locator("textarea#pg-prompt").fill("Once more");
      await page.getByRole("button", { name: "Send" }).click();
      const answer = lastAnswer(1);
      await answer.getByTestId("answer-stats").waitFor();
      expect(await answer.getByTestId("answer-failovers").textContent()).toBe("1 failover (tried busy-cloud/big-model)");
      expect(await answer.getByTestId("answer-backend").getAttribute("data-backend")).toBe("llama-pong");
    });

    it("keeps the conversation in the browser across a reload", async () => {
      await page.reload();
      await pane(1).getByTestId("answer").nth(1).getByTestId("answer-stats").waitFor();
      expect(await page.getByTestId("pane").count()).toBe(2);
      expect(await page.getByTestId("user-message").allTextContents()).toEqual(["Say something", "Tell me more", "Once more", "Tell me more", "Once more"]);
      expect(await page.getByTestId("pg-conversations").locator("option").allTextContents()).toContain("Say something");
      expect(pageErrors).toEqual([]);
    });
  });

  describe("benchmarks page", () => {
    async function runFromPage(maxTokens: string): Promise<string> {
      await page.getByLabel("Model", { exact: true }).selectOption("chatter");
      await page.getByTestId("bench-concurrency").fill("1,2");
      await page.getByTestId("bench-requests").fill("3");
      await page.getByTestId("bench-max-tokens").fill(maxTokens);
      const before = await page.getByTestId("bench-row").count();
      await page.getByTestId("bench-start").click();
      await waitFor("the new benchmark listed", async () => (await page.getByTestId("bench-row").count()) > before, 15_000);
      const row = page.getByTestId("bench-row").first();
      const id = (await row.getAttribute("data-id"))!;
      return id;
    }

    it("runs a benchmark with live progress, twice, and compares the two side by side", async () => {
      await page.getByTestId("nav-benchmarks").click();
      await page.waitForURL((u) => u.pathname === "/benchmarks");
      const first = await runFromPage("512");
      const row = page.locator(`[data-testid="bench-row"][data-id="${first}"]`);
      // The list was fetched while the first level ran: the second level's progress can only come
      // through the live events.
      const progress = row.getByTestId("bench-progress");
      await waitFor("live progress of the second level", async () => /c=2: [0-3]\/3/.test((await progress.textContent({ timeout: 100 }).catch(() => "")) ?? ""), 60_000, 50);
      await waitFor("the first benchmark done", async () => (await row.getAttribute("data-state")) === "done", 120_000);
      const second = await runFromPage("128");
      const row2 = page.locator(`[data-testid="bench-row"][data-id="${second}"]`);
      await waitFor("the second benchmark done", async () => (await row2.getAttribute("data-state")) === "done", 120_000);

      await row.getByTestId("bench-select").check();
      await row2.getByTestId("bench-select").check();
      const compare = page.getByTestId("bench-compare");
      await compare.waitFor();
      expect(await compare.getAttribute("data-count")).toBe("2");
      expect(await page.getByTestId("bench-context").count()).toBe(2);
      expect(await page.getByTestId("bench-context").first().textContent()).toContain("llama-chatter/tiny");
      // One row per level and metric, both results and the change between them.
      const tps = page.locator('[data-testid="bench-compare-row"][data-concurrency="2"][data-metric="tps"] td');
      expect(await tps.count()).toBe(5);
      for (const i of [2, 3]) expect(Number(await tps.nth(i).textContent())).toBeGreaterThan(0);
      expect(await tps.nth(4).textContent()).toMatch(/^([+-]\d+\.\d%|—)$/);
      // The charts are drawn (uPlot canvases), one point per concurrency level.
      await page.getByTestId("bench-chart-tps").locator("canvas").waitFor();
      await page.getByTestId("bench-chart-ttft").locator("canvas").waitFor();
      await page.screenshot({ path: path.join(ARTIFACTS, "benchmarks.png"), fullPage: true });

      const stored = (await (await gw.api(`/api/benchmarks/${first}`)).json()) as BenchmarkView;
      expect(stored.runs.map((r) => [r.concurrency, r.requests, r.failed]), JSON.stringify(stored.runs.map((r) => r.errors))).toEqual([[1, 3, 0], [2, 3, 0]]);
      expect(stored.params.maxTokens).toBe(512);
    });

    it("exports a result as CSV and JSON", async () => {
      const row = page.getByTestId("bench-row").first();
      const csvHref = (await row.getByTestId("bench-export-csv").getAttribute("href"))!;
      const csv = await page.evaluate(async (href) => (await fetch(href)).text(), csvHref);
      const lines = csv.trim().split("\r\n");
      expect(lines[0]).toMatch(/^id,model,created_at,state,/);
      expect(lines.slice(1).map((l) => l.split(",")[12])).toEqual(["1", "2"]);
      const jsonHref = (await row.getByTestId("bench-export-json").getAttribute("href"))!;
      const body = await page.evaluate(async (href) => (await fetch(href)).json(), jsonHref) as BenchmarkView;
      expect(body.model).toBe("chatter");
    });

    it("cancels a running benchmark from the list", async () => {
      await page.getByLabel("Model", { exact: true }).selectOption("chatter");
      await page.getByTestId("bench-concurrency").fill("1");
      await page.getByTestId("bench-requests").fill("500");
      await page.getByTestId("bench-max-tokens").fill("512");
      await page.getByTestId("bench-start").click();
      const running = page.locator('[data-testid="bench-row"][data-state="running"]');
      await running.getByTestId("bench-cancel").click();
      await page.locator('[data-testid="bench-row"][data-state="cancelled"]').waitFor({ timeout: 30_000 });
      expect(pageErrors).toEqual([]);
    });
  });
});
