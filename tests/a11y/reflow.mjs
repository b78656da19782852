// WCAG 1.4.10 (Reflow): opens each HTML page in headless Chromium 320 CSS pixels wide and
// prints one JSON object, {"overflowing": [{"page", "width"}]}: the pages that scroll sideways
// (their content wider than the window). Usage: node reflow.mjs CHROMIUM PAGE.html [...]
import { pathToFileURL } from "node:url";
import { launch } from "./browser.mjs";

const [executablePath, ...pages] = process.argv.slice(2);
const browser = await launch(executablePath);
const overflowing = [];
try {
  const context = await browser.newContext({ viewport: { width: 320, height: 640 } });
  for (const path of pages) {
    const page = await context.newPage();
    await page.goto(pathToFileURL(path).href);
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    if (width > 320) overflowing.push({ page: path, width });
    await page.close();
  }
  await context.close();
} finally {
  await browser.close();
}
process.stdout.write(JSON.stringify({ overflowing }, null, 1) + "\n");
