// A reader opening syndicate's EPUBs in a real reading system: foliate-js (the engine of the
// Foliate e-reader, from npm) in headless Chromium. For each book it reports what a reader meets:
// the cover (decoded), the page progression and the direction each document is laid out in, every
// table-of-contents entry followed (the section it lands in, the element it points at and whether
// that is on the page shown), every image of every document (loaded or broken), every link inside
// the book followed by a click (where it lands), the page turn from the start of the text, each
// emphasis's style, the fonts the first page of the text is drawn in, and every console message,
// page error and failed request while the book was open. tests/test_epub_reader.py asserts on
// these facts. Prints one JSON object, {"books": [...]}; with a folder instead of `-`, saves a
// screenshot of each book's cover page and first page of text there (NAME.cover.png,
// NAME.text.png). Usage: node reader.mjs CHROMIUM SCREENSHOT_DIR|- BOOK.epub [...]
// Nothing reaches the network: a request for anything but the books and foliate-js is refused,
// and said among the book's messages. A book not read in READER_TIMEOUT seconds (180) stops the
// run: it exits 2 and names the book and what the reader was doing, rather than hang.
import { readFile } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { launch } from "./browser.mjs";

const [executablePath, shots, ...books] = process.argv.slice(2);
const here = dirname(fileURLToPath(import.meta.url));
const foliate = join(here, "node_modules", "foliate-js");
// An origin of its own (nothing is fetched from the network: every request is answered here),
// since ES modules and fetch() are refused on file:// URLs.
const ORIGIN = "http://reader.invalid";
const TYPES = { js: "text/javascript", html: "text/html", epub: "application/epub+zip" };
const TIMEOUT = Number(process.env.READER_TIMEOUT || 180);
const PAGE = `<!DOCTYPE html><html><head><meta charset="utf-8"><title>reader</title>
<style>html, body { margin: 0; height: 100%; } foliate-view { display: block; height: 100%; }</style>
</head><body></body></html>`;

const browser = await launch(executablePath);
const results = [];
let messages = []; // the open book's
let step = "starting Chromium"; // what the reader is doing, for a book that takes too long
try {
  const context = await browser.newContext({ viewport: { width: 800, height: 1000 } });
  await context.route("**/*", async (route) => {
    const url = route.request().url();
    if (new URL(url).origin !== ORIGIN) {
      messages.push({ type: "network", text: `refused (outside the book): ${url}` });
      return route.abort("blockedbyclient");
    }
    const path = new URL(url).pathname;
    const type = TYPES[path.split(".").pop()] ?? "application/octet-stream";
    try {
      if (path === "/") return route.fulfill({ body: PAGE, contentType: TYPES.html });
      if (path.startsWith("/foliate/")) {
        const body = await readFile(join(foliate, path.slice("/foliate/".length)));
        return route.fulfill({ body, contentType: type });
      }
      if (path.startsWith("/book/")) {
        const body = await readFile(books[Number(path.split("/")[2])]);
        return route.fulfill({ body, contentType: TYPES.epub });
      }
    } catch {
      // answered as not found below
    }
    return route.fulfill({ status: 404, body: "not found" });
  });
  for (const [number, book] of books.entries()) {
    const started = Date.now();
    const page = await context.newPage();
    messages = [];
    page.on("console", (message) => {
      // foliate-js's own iframe (scripts and same origin, for its layout) warns once per page
      if (message.text().startsWith("An iframe which has both allow-scripts and allow-same-origin")) return;
      if (message.type() === "error" || message.type() === "warning")
        messages.push({ type: message.type(), text: message.text(), url: message.location().url });
    });
    page.on("pageerror", (error) => messages.push({ type: "pageerror", text: String(error) }));
    page.on("requestfailed", (request) =>
      messages.push({ type: "requestfailed", text: request.url() }));
    let timer;
    const late = new Promise((resolve) => { timer = setTimeout(resolve, TIMEOUT * 1000); });
    const facts = await Promise.race([open(page, number, book), late.then(() => null)]);
    clearTimeout(timer);
    if (facts === null) {
      // the page's own account of where it is, if it still answers
      const where = await Promise.race([
        page.evaluate(() => globalThis.step).catch(() => null),
        new Promise((resolve) => setTimeout(resolve, 5000)),
      ]);
      process.stderr.write(`reader.mjs: ${book}: not read in ${TIMEOUT} s (READER_TIMEOUT), `
        + `stuck ${step}${where ? `: ${where}` : ""}; messages: ${JSON.stringify(messages)}\n`);
      process.exitCode = 2;
      break;
    }
    results.push({ book, ...facts, messages, seconds: (Date.now() - started) / 1000 });
    await page.close();
  }
  await context.close();
} finally {
  // a hung page may keep Chromium from closing: give it ten seconds
  await Promise.race([browser.close(), new Promise((resolve) => setTimeout(resolve, 10000))]);
}
if (process.exitCode) process.exit();
process.stdout.write(JSON.stringify({ books: results }, null, 1) + "\n");

// Opens book `number` in `page` and reports its facts.
async function open(page, number, book) {
  step = "opening the reader's page";
  await page.goto(`${ORIGIN}/`);
  step = "reading the book";
  const facts = await page.evaluate(read, `/book/${number}/${basename(book)}`);
  step = "showing the first page of text";
  await page.evaluate(show, "text");
  step = "asking DevTools for its fonts";
  facts.fonts = await fonts(page);
  if (shots !== "-") {
    for (const [at, name] of [["cover", "cover"], ["text", "text"]]) {
      step = `taking a screenshot of its ${name}`;
      await page.evaluate(show, at);
      await page.screenshot({ path: join(shots, `${basename(book, ".epub")}.${name}.png`) });
    }
  }
  return facts;
}

// The fonts Chromium draws the text's first headline and first body paragraph in (the page
// shown: the start of the text), as DevTools lists them: [{familyName, glyphCount}, ...] each.
async function fonts(page) {
  const cdp = await page.context().newCDPSession(page);
  try {
    await cdp.send("DOM.enable");
    await cdp.send("CSS.enable");
    const { root } = await cdp.send("DOM.getDocument", { depth: -1, pierce: true });
    const found = {};
    const walk = (node, parent) => {
      const name = node.localName ?? node.nodeName?.toLowerCase();
      if (name === "h1" && !found.headline) found.headline = node.nodeId;
      // the body's paragraphs are in the <div lang=".."> the body renderer makes
      const attributes = parent?.attributes ?? [];
      if (name === "p" && !found.paragraph && parent?.localName === "div" && attributes.includes("lang"))
        found.paragraph = node.nodeId;
      for (const child of [...(node.children ?? []), ...(node.shadowRoots ?? []),
        ...(node.contentDocument ? [node.contentDocument] : [])]) walk(child, node);
    };
    walk(root, null);
    const used = {};
    for (const [what, nodeId] of Object.entries(found)) {
      const { fonts } = await cdp.send("CSS.getPlatformFontsForNode", { nodeId });
      used[what] = fonts.map(({ familyName, glyphCount }) => ({ familyName, glyphCount }));
    }
    return used;
  } finally {
    await cdp.detach();
  }
}

// Shows the cover page ("cover") or the first page of the text ("text": the first story, past
// an edition's contents page), for a screenshot.
async function show(at) {
  const view = globalThis.view;
  const landmark = (type) => view.book.landmarks?.find((m) => m.type.includes(type))?.href;
  const first = view.book.sections.findIndex((s) => s.linear !== "no");
  await view.goTo(at === "cover" ? landmark("cover") ?? 0 : landmark("bodymatter") ?? first);
  await new Promise((resolve) => setTimeout(resolve, 200));
}

// Runs in the page: opens the book in a <foliate-view> and walks it.
async function read(url) {
  globalThis.step = "loading foliate-js";
  await import("/foliate/view.js");
  const view = document.createElement("foliate-view");
  document.body.append(view);
  globalThis.view = view;
  globalThis.step = "opening the book";
  await view.open(url);
  const { book } = view;
  const settle = () => new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 50)));
  let relocated = null;
  view.addEventListener("relocate", (e) => { relocated = e.detail; });
  const current = () => view.renderer.getContents()[0];
  const text = (node) => (node?.textContent ?? "").replace(/\s+/g, " ").trim();
  // whether the element (or, for 0, the document's start) is on the page shown
  const shown = (element, doc) => {
    const range = view.lastLocation?.range;
    if (!range || element === null) return false;
    const node = typeof element === "number" ? doc.querySelector("h1") ?? doc.body.firstElementChild : element;
    return range.intersectsNode(node) || node.contains(range.startContainer);
  };
  const target = (resolved, doc) => {
    const anchor = resolved.anchor(doc);
    if (typeof anchor === "number") return anchor;
    return anchor?.nodeType === 1 ? anchor : anchor?.startContainer?.parentElement ?? null;
  };
  const describe = (element, doc) => {
    if (element === null) return { found: false };
    if (typeof element === "number")
      return { found: true, start: true, heading: text(doc.querySelector("h1")) };
    return {
      found: true,
      tag: element.localName,
      heading: /^h[1-6]$/.test(element.localName) ? text(element) : text(element.querySelector("h1, h2, h3, h4, h5, h6")),
    };
  };
  const go = async (href) => {
    globalThis.step = `going to ${href}`;
    relocated = null;
    await view.goTo(href);
    await settle();
  };

  const facts = {
    dir: book.dir ?? null,
    language: book.metadata?.language ?? null,
    title: book.metadata?.title ?? null,
  };
  globalThis.step = "decoding the cover";
  const cover = await book.getCover();
  if (cover) {
    try {
      const bitmap = await createImageBitmap(cover);
      facts.cover = { type: cover.type, width: bitmap.width, height: bitmap.height };
    } catch (e) {
      facts.cover = { type: cover.type, error: String(e) };
    }
  } else facts.cover = null;
  facts.landmarks = (book.landmarks ?? []).map((m) => ({ type: m.type, href: m.href, label: m.label }));

  const flatten = (items, depth = 0) => (items ?? []).flatMap((item) =>
    [{ label: item.label, href: item.href, depth }, ...flatten(item.subitems, depth + 1)]);
  facts.toc = [];
  for (const entry of flatten(book.toc)) {
    await go(entry.href);
    const resolved = book.resolveHref(entry.href);
    const { doc, index } = current();
    const element = resolved && index === resolved.index ? target(resolved, doc) : null;
    facts.toc.push({
      ...entry,
      index,
      expected: resolved?.index ?? null,
      ...describe(element, doc),
      kicker: text(doc.querySelector(".kicker")),
      shown: shown(element, doc),
    });
  }

  facts.sections = [];
  for (const [index, section] of book.sections.entries()) {
    await go(index);
    const { doc } = current();
    const images = [...doc.images];
    globalThis.step = `decoding the images of section ${index}`;
    await Promise.all(images.map((img) => img.decode().catch(() => null)));
    // the language and direction the book's document says: foliate-js fills in those it does
    // not from the book's metadata in the document it shows
    globalThis.step = `parsing section ${index}`;
    const root = (await section.createDocument()).documentElement;
    const style = doc.defaultView.getComputedStyle(doc.body);
    const links = [];
    for (const a of doc.querySelectorAll("a[href]")) {
      const raw = a.getAttribute("href");
      const href = section.resolveHref?.(raw) ?? raw;
      if (book.isExternal(href)) { links.push({ href: raw, external: true }); continue; }
      links.push({ href: raw, external: false, resolved: href });
    }
    facts.sections.push({
      index,
      id: section.id,
      linear: section.linear ?? null,
      lang: root.getAttribute("lang"),
      xmlLang: root.getAttributeNS("http://www.w3.org/XML/1998/namespace", "lang"),
      dir: root.getAttribute("dir"),
      direction: style.direction,
      fontFamily: style.fontFamily,
      // each emphasis's style: italic breaks Arabic script's joined letters and is a slanted
      // distortion of CJK characters; and, for one within another (`em strong`, `strong em`),
      // the enclosing one's, which it must stand out from
      emphasis: [...doc.querySelectorAll("em, strong")].map((em) => {
        const look = (element) => {
          const computed = doc.defaultView.getComputedStyle(element);
          return {
            tag: element.localName,
            style: computed.fontStyle,
            weight: computed.fontWeight,
            marks: computed.textEmphasisStyle,
            decoration: computed.textDecorationLine,
          };
        };
        const outer = em.parentElement.closest("em, strong");
        return { ...look(em), within: outer ? look(outer) : null };
      }),
      images: images.map((img) => ({
        src: img.getAttribute("src"),
        alt: img.getAttribute("alt"),
        loaded: img.complete && img.naturalWidth > 0,
        width: img.naturalWidth,
      })),
      links,
      headings: [...doc.querySelectorAll("h1, h2, h3, h4, h5, h6")].map((h) => ({ tag: h.localName, id: h.id, text: text(h) })),
    });
  }

  // a page turn from the start of the text, by the arrow key on the left and on the right:
  // which of them goes on (a right-to-left book reads on leftwards); null for a book of one page
  const start = book.landmarks?.find((m) => m.type.includes("bodymatter"))?.href
    ?? book.sections.findIndex((s) => s.linear !== "no");
  facts.turn = {};
  await go(start);
  // (a book of one page has nowhere to turn to)
  if (view.renderer.atEnd) facts.turn = null;
  for (const side of facts.turn ? ["left", "right"] : []) {
    await go(start);
    const before = { index: current().index, range: view.lastLocation?.range };
    await (side === "left" ? view.goLeft() : view.goRight());
    await settle();
    const after = { index: current().index, range: view.lastLocation?.range };
    facts.turn[side] = after.index > before.index
      || (after.index === before.index && before.range && after.range
        && after.range.compareBoundaryPoints(Range.START_TO_START, before.range) > 0);
  }

  // every link inside the book, followed as a reader does: a click on it in its page
  facts.followed = [];
  for (const section of facts.sections) {
    for (const [n, link] of section.links.entries()) {
      if (link.external) continue;
      await go(section.index);
      const { doc } = current();
      const a = doc.querySelectorAll("a[href]")[n];
      relocated = null;
      globalThis.step = `following the link ${link.href} of section ${section.index}`;
      a.click();
      for (let i = 0; i < 40 && !relocated; i++) await settle();
      await settle();
      const landed = current();
      const resolved = book.resolveHref(link.resolved);
      const element = resolved && landed.index === resolved.index ? target(resolved, landed.doc) : null;
      facts.followed.push({
        from: section.index,
        href: link.href,
        index: landed.index,
        expected: resolved?.index ?? null,
        ...describe(element, landed.doc),
        shown: shown(element, landed.doc),
      });
    }
  }
  return facts;
}
