/**
 * Takes the README's dashboard screenshot from a running server:
 *   npx tsx scripts/screenshot.ts http://localhost:3000 <admin token> docs/dashboard.png [path]
 */
import { openPage, signIn } from "../tests/helpers/browser";

const [url = "http://localhost:3000", token = "", out = "docs/dashboard.png", pagePath = "/"] = process.argv.slice(2);

const { browser, page } = await openPage();
await signIn(page, url, token);
if (pagePath !== "/") await page.goto(`${url}${pagePath}`);
await page.waitForSelector('[data-testid="gpu-card"], [data-testid="gpu-chart"]');
await page.waitForTimeout(2500);
await page.screenshot({ path: out, fullPage: pagePath !== "/" });
await browser.close();
process.stdout.write(`saved ${out}\n`);
