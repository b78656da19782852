// WCAG 2.4.1 (Bypass Blocks), with the keyboard: opens each HTML page in headless Chromium and
// presses Tab: the first focus must be the "skip to content" link, out of sight until then and
// in sight once focused; Enter on it must move to the page's <main>, so that the next Tab
// lands inside it (or after it, when it holds no link), past the masthead. Prints one JSON
// object, {"failures": [{"page", "problem"}]}. Usage: node skip.mjs CHROMIUM PAGE.html [...]
import { pathToFileURL } from "node:url";
import { launch } from "./browser.mjs";

const [executablePath, ...pages] = process.argv.slice(2);
const browser = await launch(executablePath);
const failures = [];
const inView = (rect, width, height) =>
  rect.width > 0 && rect.height > 0 && rect.bottom > 0 && rect.right > 0 &&
  rect.top < height && rect.left < width;
try {
  const context = await browser.newContext({ viewport: { width: 1024, height: 768 } });
  for (const path of pages) {
    const page = await context.newPage();
    await page.goto(pathToFileURL(path).href);
    const fail = (problem) => failures.push({ page: path, problem });
    const link = page.locator("a.skip-link");
    if ((await link.count()) !== 1) { fail("no skip link"); await page.close(); continue; }
    const before = await link.evaluate((a) => a.getBoundingClientRect().toJSON());
    if (inView(before, 1024, 768)) fail("the skip link is visible before it has the focus");
    await page.keyboard.press("Tab");
    const first = await page.evaluate(() => {
      const a = document.activeElement;
      return {
        skip: a.classList.contains("skip-link"),
        // resolved (a section page's <base href="../"> has it written as "fr/politics.html#main")
        href: a.href,
        text: a.textContent.trim(),
        rect: a.getBoundingClientRect().toJSON(),
      };
    });
    if (!first.skip) fail("the first Tab does not focus the skip link");
    else if (!inView(first.rect, 1024, 768)) fail("the focused skip link is out of sight");
    else if (!first.text) fail("the skip link has no text");
    await page.keyboard.press("Enter");
    const target = await page.evaluate(() => ({
      main: document.activeElement === document.querySelector("main"),
      url: `${document.URL.split("#")[0]}#${document.querySelector("main")?.id}`,
    }));
    if (first.href !== target.url) fail(`the skip link leads to ${first.href}, not <main>`);
    if (!target.main) fail("Enter on the skip link does not move the focus to <main>");
    await page.keyboard.press("Tab");
    const next = await page.evaluate(() => ({
      inMain: Boolean(document.activeElement.closest("main")),
      inMasthead: Boolean(document.activeElement.closest("header")),
      // a notice page's <main> has no link: the Tab goes on past it
      focusable: Boolean(document.querySelector("main a[href], main button, main input")),
    }));
    if (next.focusable ? !next.inMain : next.inMasthead)
      fail("the Tab after skipping does not go on from <main>");
    await page.close();
  }
  await context.close();
} finally {
  await browser.close();
}
process.stdout.write(JSON.stringify({ failures }, null, 1) + "\n");
