/**
 * Debian's Chromium driven by playwright-core (Playwright cannot download browsers here), with the
 * flags that keep it off the closed network, and the dashboard's sign-in.
 */
import { chromium, type Browser, type Page } from "playwright-core";

export const CHROMIUM = process.env.SWITCHYARD_TEST_CHROMIUM ?? "/usr/bin/chromium";
export const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];

export interface BrowserPage {
  browser: Browser;
  page: Page;
  /** Uncaught errors of the page's scripts: tests expect none. */
  pageErrors: string[];
}

export async function openPage(viewport = { width: 1440, height: 900 }): Promise<BrowserPage> {
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  const page = await (await browser.newContext({ viewport, colorScheme: "dark" })).newPage();
  page.setDefaultTimeout(20_000);
  const pageErrors: string[] = [];
  page.on("pageerror", (err) => pageErrors.push(String(err)));
  return { browser, page, pageErrors };
}

export async function signIn(page: Page, baseUrl: string, token: string): Promise<void> {
  await page.goto(`${baseUrl}/login`);
  await page.fill('input[type="password"]', token);
  await page.click('[data-testid="login-submit"]');
  await page.waitForURL((u) => u.pathname === "/");
}
