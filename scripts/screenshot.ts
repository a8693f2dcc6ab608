/**
 * Takes the README's dashboard screenshot from a running server:
 *   npx tsx scripts/screenshot.ts http://localhost:3000 <admin token> docs/dashboard.png [path]
 */
import { chromium } from "playwright-core";

const [url = "http://localhost:3000", token = "", out = "docs/dashboard.png", pagePath = "/"] = process.argv.slice(2);

const browser = await chromium.launch({
  executablePath: process.env.SWITCHYARD_TEST_CHROMIUM ?? "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
});
const page = await browser.newPage({ viewport: { width: 1440, height: 900 }, colorScheme: "dark" });
await page.goto(`${url}/login`);
await page.fill("input[type=password]", token);
await page.click('[data-testid="login-submit"]');
await page.waitForURL(`${url}/`);
if (pagePath !== "/") await page.goto(`${url}${pagePath}`);
await page.waitForSelector('[data-testid="gpu-card"], [data-testid="gpu-chart"]');
await page.waitForTimeout(2500);
await page.screenshot({ path: out, fullPage: pagePath !== "/" });
await browser.close();
process.stdout.write(`saved ${out}\n`);
