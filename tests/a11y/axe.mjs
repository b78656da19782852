// Runs axe-core on HTML pages in headless Chromium, in the light and the dark colour scheme,
// and prints one JSON object: {"violations": [{"page", "scheme", "rule", "impact", "help",
// "nodes"}]}. Usage: node axe.mjs CHROMIUM [--wait SELECTOR] PAGE [PAGE ...], a PAGE being a
// file or an http(s) URL; with --wait, axe runs once SELECTOR is on the page (content a script
// adds, as the preview's problems box).
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";
import { launch } from "./browser.mjs";

const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
let [executablePath, ...pages] = process.argv.slice(2);
let waitFor = null;
if (pages[0] === "--wait") [, waitFor, ...pages] = pages;

const browser = await launch(executablePath);
const violations = [];
try {
  for (const scheme of ["light", "dark"]) {
    const context = await browser.newContext({ colorScheme: scheme });
    for (const path of pages) {
      const page = await context.newPage();
      await page.goto(/^https?:/.test(path) ? path : pathToFileURL(path).href);
      if (waitFor) await page.waitForSelector(waitFor, { state: "attached" });
      await page.addScriptTag({ content: axeSource });
      const result = await page.evaluate(async () => await window.axe.run(document));
      for (const v of result.violations) {
        violations.push({
          page: path, scheme, rule: v.id, impact: v.impact, help: v.help,
          nodes: v.nodes.map((n) => `${n.target.join(" ")}: ${n.failureSummary}`),
        });
      }
      await page.close();
    }
    await context.close();
  }
} finally {
  await browser.close();
}
process.stdout.write(JSON.stringify({ violations }, null, 1) + "\n");
