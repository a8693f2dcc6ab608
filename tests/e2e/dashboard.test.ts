/**
 * The dashboard in a real browser (Debian's Chromium via playwright-core) against a real
 * Switchyard server with real agents reading the stand-in nvidia-smi. Set SWITCHYARD_TEST_URL and
 * SWITCHYARD_TEST_ADMIN_TOKEN to point it at a server you run; otherwise it starts its own.
 * Artifacts: test-results/dashboard.png (fleet overview) and test-results/dashboard-node.png.
 */
import { mkdir } from "node:fs/promises";
import path from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { IN_VIEW_MARGIN_PX } from "../../app/lib/use-in-view";
import { openPage } from "../helpers/browser";
import { ADMIN_TOKEN as HARNESS_ADMIN_TOKEN, startAgent, startServer, waitFor, type Proc, type TestServer } from "../helpers/processes";

let BASE_URL = process.env.SWITCHYARD_TEST_URL?.replace(/\/$/, "");
const ADMIN_TOKEN = process.env.SWITCHYARD_TEST_ADMIN_TOKEN ?? HARNESS_ADMIN_TOKEN;
const ARTIFACTS = path.resolve("test-results");

/** Every GPU card's displayed util, VRAM, temperature and power, as one comparable string. */
async function displayedGpuValues(page: Page): Promise<string> {
  return page.$$eval('[data-testid="gpu-card"]', (cards) =>
    cards
      .map((card) =>
        ["gpu-util", "gpu-vram", "gpu-temp", "gpu-power"]
          .map((id) => card.querySelector(`[data-testid="${id}"]`)?.textContent?.trim() ?? "")
          .join(" | "),
      )
      .join("\n"),
  );
}

/**
 * Pixels of a chart's canvas close to its series colour: proof that a line was drawn, not just
 * the axes and grid.
 */
async function seriesPixels(page: Page, selector: string, rgb: [number, number, number]): Promise<number> {
  return page.$eval(
    selector,
    (canvas, target) => {
      const c = canvas as HTMLCanvasElement;
      const ctx = c.getContext("2d");
      if (!ctx || c.width === 0 || c.height === 0) return 0;
      const { data } = ctx.getImageData(0, 0, c.width, c.height);
      let n = 0;
      for (let i = 0; i < data.length; i += 4) {
        const [r, g, b, a] = [data[i] ?? 0, data[i + 1] ?? 0, data[i + 2] ?? 0, data[i + 3] ?? 0];
        if (a > 100 && Math.abs(r - target[0]) < 40 && Math.abs(g - target[1]) < 40 && Math.abs(b - target[2]) < 40) n++;
      }
      return n;
    },
    rgb,
  );
}

describe("dashboard in Chromium", () => {
  let browser: Browser;
  let page: Page;
  let pageErrors: string[] = [];
  let server: TestServer | null = null;
  const agents: Proc[] = [];

  beforeAll(async () => {
    if (!BASE_URL) {
      server = await startServer();
      BASE_URL = server.url;
      agents.push(startAgent({ server: server.url, name: "atlas", gpus: "rtx-4080-super,rtx-4080-super" }));
      agents.push(startAgent({ server: server.url, name: "hopper", gpus: "h100,h100-mig" }));
      await waitFor("both agents online", async () => {
        const nodes = (await (await server!.api("/api/nodes")).json()) as Array<{ online: boolean; gpus: unknown[] }>;
        return nodes.length === 2 && nodes.every((n) => n.online && n.gpus.length === 2);
      }, 60_000);
    }
    await mkdir(ARTIFACTS, { recursive: true });
    ({ browser, page, pageErrors } = await openPage());
  });

  afterAll(async () => {
    await browser?.close();
    await Promise.all(agents.map((a) => a.stop()));
    await server?.stop();
  });

  it("sends a signed-out visitor to /login and rejects a wrong token with a clear error", async () => {
    await page.goto(`${BASE_URL}/`);
    await page.waitForURL((u) => u.pathname === "/login");
    expect(await page.locator('input[type="password"]').count()).toBe(1);

    await page.fill('input[type="password"]', `wrong-${Date.now()}`);
    await page.click('button[type="submit"]');
    const error = page.getByTestId("login-error");
    await error.waitFor();
    expect(await error.textContent()).toMatch(/not valid/i);
    expect(new URL(page.url()).pathname).toBe("/login");
  });

  it("signs in and shows every GPU as a card with its numbers", async () => {
    await page.fill('input[type="password"]', ADMIN_TOKEN);
    await page.click('button[type="submit"]');
    await page.waitForURL((u) => u.pathname === "/");

    await page.getByTestId("gpu-card").first().waitFor({ timeout: 30_000 });
    const cards = page.getByTestId("gpu-card");
    expect(await cards.count()).toBeGreaterThan(0);
    for (const card of await cards.all()) {
      expect(await card.getAttribute("data-gpu-uuid")).toMatch(/\S/);
      expect(await card.getByTestId("gpu-util").textContent()).toMatch(/\d+%|—/);
      expect(await card.getByTestId("gpu-vram").textContent()).toMatch(/GiB/);
      expect(await card.getByTestId("gpu-temp").textContent()).toMatch(/°C|—/);
      expect(await card.getByTestId("gpu-power").textContent()).toMatch(/W/);
    }
    expect(await page.getByTestId("node-card").count()).toBeGreaterThan(0);
    expect(await page.getByTestId("node-status").first().textContent()).toMatch(/online|offline/);
    await page.locator('[data-testid="live-indicator"][data-status="live"]').waitFor();
  });

  it("changes the displayed values live, without a reload", async () => {
    // A marker on window survives only if the page is never reloaded.
    await page.evaluate(() => {
      (window as unknown as { __switchyardNoReload: boolean }).__switchyardNoReload = true;
    });
    const before = await displayedGpuValues(page);
    let after = before;
    const deadline = Date.now() + 20_000;
    while (after === before && Date.now() < deadline) {
      await page.waitForTimeout(500);
      after = await displayedGpuValues(page);
    }
    expect(after).not.toBe(before);
    expect(await page.evaluate(() => (window as unknown as { __switchyardNoReload?: boolean }).__switchyardNoReload)).toBe(true);

    // Sparklines fill from history plus the stream; give them a moment, then keep the picture.
    await page.waitForFunction(() =>
      [...document.querySelectorAll('[data-testid="gpu-sparkline"]')].some((s) => Number(s.getAttribute("data-points")) > 1),
    );
    await page.waitForTimeout(500);
    await page.screenshot({ path: path.join(ARTIFACTS, "dashboard.png"), fullPage: true });
  });

  it("brings a node that was scrolled out of view up to date as it comes back, and keeps it live", async () => {
    // Off screen a card keeps what it showed (a fleet of 50 nodes would otherwise re-render all of
    // them every second): what a user must see is a current, moving card once it is in view again.
    await page.evaluate(() => window.scrollTo(0, 0));
    const last = page.locator('[data-testid="node-card"]').last();
    // A window short enough that the last card starts below it and its margin.
    const top = await last.evaluate((el) => el.getBoundingClientRect().top + window.scrollY);
    await page.setViewportSize({ width: 1440, height: Math.floor(top - IN_VIEW_MARGIN_PX - 40) });
    await page.waitForFunction(() => [...document.querySelectorAll('[data-testid="node-card"]')].at(-1)?.getAttribute("data-in-view") === "false");
    expect(await last.locator('[data-testid="gpu-sparkline"] canvas').count()).toBe(0);

    await last.scrollIntoViewIfNeeded();
    await page.waitForFunction(() => [...document.querySelectorAll('[data-testid="node-card"]')].at(-1)?.getAttribute("data-in-view") === "true");
    await last.locator('[data-testid="gpu-sparkline"] canvas').first().waitFor();
    const shown = () => last.locator('[data-testid="gpu-card"]').evaluateAll((cards) =>
      cards.map((c) => ["gpu-util", "gpu-vram", "gpu-temp", "gpu-power"].map((id) => c.querySelector(`[data-testid="${id}"]`)?.textContent?.trim()).join(" | ")).join("\n"));
    const before = await shown();
    await waitFor("the card's values to move", async () => (await shown()) !== before, 20_000, 250);
    await page.setViewportSize({ width: 1440, height: 900 });
    expect(pageErrors).toEqual([]);
  });

  it("opens a node page and draws its charts", async () => {
    const node = page.locator('[data-testid="node-card"]:has([data-testid="gpu-card"])').first();
    const name = await node.getAttribute("data-node-name");
    expect(name).toBeTruthy();
    await node.getByTestId("node-link").click();
    await page.waitForURL((u) => u.pathname === `/nodes/${encodeURIComponent(name ?? "")}`);

    const panels = page.getByTestId("gpu-panel");
    await panels.first().waitFor();
    const charts = page.getByTestId("gpu-chart");
    expect(await charts.count()).toBe((await panels.count()) * 4);

    // History (or the first live samples) arrived and uPlot drew the utilisation line.
    await page.waitForFunction(() => Number(document.querySelector('[data-testid="gpu-chart"][data-metric="util"]')?.getAttribute("data-points")) > 1);
    const utilCanvas = '[data-testid="gpu-chart"][data-metric="util"] canvas';
    await page.locator(utilCanvas).first().waitFor();
    let pixels = 0;
    const deadline = Date.now() + 10_000;
    while (pixels === 0 && Date.now() < deadline) {
      pixels = await seriesPixels(page, utilCanvas, [0x4f, 0xa3, 0xff]);
      if (pixels === 0) await page.waitForTimeout(250);
    }
    expect(pixels).toBeGreaterThan(0);

    // The range selector asks the server for that range's history and the charts redraw with it.
    const historyAsked = page.waitForResponse((r) => /\/api\/nodes\/[^/]+\/history\?range=1h/.test(r.url()) && r.status() === 200);
    await page.locator('[data-testid="range-selector"] [data-range="1h"]').click();
    await page.waitForURL((u) => u.searchParams.get("range") === "1h");
    const history = (await (await historyAsked).json()) as { range: string; resolutionS: number; gpus: Array<{ points: unknown[] }> };
    expect(history.range).toBe("1h");
    expect(history.gpus[0]!.points.length).toBeGreaterThan(1);
    await page.waitForFunction(() => Number(document.querySelector('[data-testid="gpu-chart"][data-metric="util"]')?.getAttribute("data-points")) > 1);
    await page.screenshot({ path: path.join(ARTIFACTS, "dashboard-node.png"), fullPage: true });

    expect(pageErrors).toEqual([]);
  });

  it.skipIf(!!process.env.SWITCHYARD_TEST_URL)("removes a retired (offline) node from the fleet page", async () => {
    await agents[1]!.stop(); // hopper
    await waitFor("hopper offline", async () => {
      const res = await server!.api("/api/nodes/hopper");
      return ((await res.json()) as { online: boolean }).online === false;
    }, 15_000);
    await page.goto(`${BASE_URL}/`);
    page.once("dialog", (d) => void d.accept());
    const card = page.locator('[data-testid="node-card"][data-node-name="hopper"]');
    await card.getByTestId("node-remove").click();
    await card.waitFor({ state: "detached" });
    expect((await server!.api("/api/nodes/hopper")).status).toBe(404);
    // The online node has no such button.
    expect(await page.locator('[data-node-name="atlas"] [data-testid="node-remove"]').count()).toBe(0);
    expect(pageErrors).toEqual([]);
  });
});
