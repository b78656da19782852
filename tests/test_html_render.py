"""Render the English and Arabic pages in headless Chromium: the page draws, its images load,
and the Arabic page is laid out right to left."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

import pytest
from conftest import REPO, SAMPLE_SLUG
from PIL import Image, ImageChops, ImageStat

WIDTH, HEIGHT = 1280, 1800
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome")


@pytest.fixture(scope="module")
def chromium() -> str:
    """The browser; CI must have it (Debian package `chromium`)."""
    found = next((p for p in map(shutil.which, CHROMIUM_NAMES) if p), None)
    if found is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is required in CI (apt-get install -y chromium)")
        pytest.skip("chromium is not installed")
    return found


def stop_browser(browser: subprocess.Popen[bytes]) -> None:
    """Stops Chromium, started with `start_new_session=True`, and every process it started:
    stopping only the main one leaves helpers writing into the profile folder while the test
    removes it ("Directory not empty")."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(browser.pid, signal.SIGTERM)
    with contextlib.suppress(subprocess.TimeoutExpired):
        browser.wait(10)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(browser.pid, signal.SIGKILL)
    browser.wait(30)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:  # helpers exit a moment after the leader
        try:
            os.killpg(browser.pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.1)


def screenshot(chromium: str, page: Path, target: Path) -> Image.Image:
    with tempfile.TemporaryDirectory() as profile:
        browser = subprocess.Popen(
            [
                chromium,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--hide-scrollbars",
                f"--user-data-dir={profile}",
                f"--screenshot={target}",
                f"--window-size={WIDTH},{HEIGHT}",
                page.as_uri(),
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            output, _ = browser.communicate(timeout=180)
        finally:
            stop_browser(browser)
        assert browser.returncode == 0, f"chromium failed: {output.decode(errors='replace')}"
    return Image.open(target).convert("RGB")


def ink_centre(image: Image.Image, top: int, bottom: int) -> float:
    """Horizontal centre of the non-white pixels in a band, from 0 (left) to 1 (right)."""
    band = image.crop((0, top, image.width, bottom)).convert("L")
    ink = band.point(lambda v: 255 if v < 160 else 0)
    columns = list(ink.resize((band.width, 1), Image.Resampling.BOX).tobytes())
    total = sum(columns)
    assert total, "nothing drawn in this band"
    return sum(x * c for x, c in enumerate(columns)) / total / band.width


@pytest.mark.slow
def test_pages_render_in_chromium(export_sample: Any, chromium: str, tmp_path: Path) -> None:
    out = export_sample("html")
    shots = {
        lang: screenshot(
            chromium, out / "html" / f"{SAMPLE_SLUG}.{lang}.html", tmp_path / f"{lang}.png"
        )
        for lang in ("en", "ar")
    }
    for lang, image in shots.items():
        assert image.size == (WIDTH, HEIGHT), lang
        assert max(ImageStat.Stat(image).stddev) > 20, f"{lang}: the page looks blank"
        # The chart (navy bars) is drawn: the image URL resolved.
        navy = Image.new("RGB", image.size, (0x1F, 0x3A, 0x5F))
        distance = ImageChops.difference(image, navy).convert("L")
        assert sum(distance.histogram()[:24]) > 5000, f"{lang}: the chart did not load"
    # The headline band: English starts at the left of the column, Arabic at the right.
    assert ink_centre(shots["en"], 120, 420) < 0.5
    assert ink_centre(shots["ar"], 120, 420) > 0.5


STYLE_PROBE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><style>%s</style></head><body><pre id="out"></pre>
<script>
const found = {};
for (const tag of %s) {
  const box = document.createElement("div");
  box.lang = tag;
  box.innerHTML = '<a class="brand">b</a><p class="kicker">k</p><h1>h</h1>'
    + '<div class="more"><h2>m</h2></div><p><em>e</em> <strong>s <em>n</em></strong></p>'
    + '<h3>h <em>e</em></h3><table><tr><th>t <em>e</em></th></tr></table>';
  document.body.append(box);
  const spacing = (sel) => getComputedStyle(box.querySelector(sel)).letterSpacing;
  const look = (el) => [getComputedStyle(el).fontStyle, getComputedStyle(el).fontWeight];
  found[tag] = {
    serif: getComputedStyle(box).getPropertyValue("--serif"),
    spacing: [".brand", ".kicker", "h1", ".more h2"].map(spacing),
    looks: ["p > em", "strong", "strong em", "h3 em", "th em"].map(
      (sel) => look(box.querySelector(sel))),
  };
}
document.getElementById("out").textContent = JSON.stringify(found);
</script></body></html>
"""


def dump_dom(chromium: str, page: Path) -> str:
    """The document of `page` once its scripts ran, as Chromium serialises it."""
    with tempfile.TemporaryDirectory() as profile:
        browser = subprocess.Popen(
            [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             f"--user-data-dir={profile}", "--dump-dom", page.as_uri()],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )  # fmt: skip
        try:
            output, _ = browser.communicate(timeout=180)
        finally:
            stop_browser(browser)
        assert browser.returncode == 0, "chromium failed"
    return output.decode()


@pytest.mark.slow
def test_the_stylesheets_script_rules_as_chromium_matches_them(
    chromium: str, tmp_path: Path
) -> None:
    """The stylesheet's Arabic-script and CJK rules, matched by the browser's own `:lang()`
    over every tag CLDR has a page for: a page in Arabic script has the Arabic fonts, upright
    emphasis and no letter-spacing anywhere (the masthead's kept its -0.01em, pulling the
    joined letters apart); a CJK page the CJK fonts, upright emphasis and no tightening; any
    other page, Chinese in Latin letters (`zh-Latn`, which `:lang(zh)` matched) among them,
    none of those rules. And emphasis in a script with no italic (Hebrew, the scripts of
    India and Sri Lanka, Thai, Lao, Khmer, Myanmar) is upright and bold as in Arabic script,
    not the oblique a browser makes of it, with emphasis within emphasis at the text's weight;
    any other page's is italic. Emphasis in a subheading or a table header, bold within bold,
    showed nothing there: it is at the text's weight, as emphasis within emphasis is."""
    import json

    from lxml import html as lxml_html
    from test_html import JOINED, NO_ITALIC, page_tags

    from syndicate.i18n.locales import script

    css = (REPO / "syndicate/formats/html/templates/style.css").read_text(encoding="utf-8")
    tags = {}
    for tag in sorted(page_tags()):
        try:
            tags[tag] = script(tag)
        except ValueError:  # a tag syndicate refuses: no page has it
            continue
    page = tmp_path / "probe.html"
    page.write_text(STYLE_PROBE % (css, json.dumps(list(tags))), encoding="utf-8")
    (out,) = lxml_html.fromstring(dump_dom(chromium, page)).xpath('//pre[@id="out"]/text()')
    found = json.loads(out)
    assert set(found) == set(tags)
    assert tags["zh-Latn"] == "Latn" and tags["ur"] == "Arab" and tags["ja"] == "Jpan"
    assert {tags[t] for t in ("he", "hi", "ta", "th", "km", "my", "pa", "si")} <= NO_ITALIC
    by_weight = [["normal", "700"], ["normal", "700"], *[["normal", "400"]] * 3]
    wrong = []
    for tag, written in tags.items():
        style = found[tag]
        untracked = all(s in {"normal", "0px"} for s in style["spacing"])
        weighed = style["looks"] == by_weight
        if written in NO_ITALIC:
            right = "Naskh" not in style["serif"] and "CJK" not in style["serif"] and weighed
        elif written == "Arab":
            right = "Naskh" in style["serif"] and untracked and weighed
        elif written in {"Hani", "Hans", "Hant", "Jpan", "Kore", "Hang"}:
            right = "CJK" in style["serif"] and untracked and weighed
        else:
            right = (
                "Naskh" not in style["serif"]
                and "CJK" not in style["serif"]
                and (written in JOINED or style["spacing"][0] not in {"normal", "0px"})
                and style["looks"]
                == [["italic", "400"], ["normal", "700"], *[["italic", "700"]] * 3]
            )
        if not right:
            wrong.append(f"{tag} ({written}): {style}")
    assert wrong == []


@pytest.mark.slow
def test_no_letter_spacing_in_a_joined_script_as_chromium_computes_it(
    chromium: str, tmp_path: Path
) -> None:
    """The masthead, kicker, headline and "more" heading, tracked in Latin type, were tracked
    in Devanagari, Bengali and Gurmukhi too (spacing cuts the headstroke their letters hang
    from) and in Syriac, Mongolian, N'Ko, Adlam and Hanifi Rohingya (cursive: spacing breaks
    the joins, as in Arabic script, which had none already). Chromium computes no
    letter-spacing on any of them for every tag CLDR writes in one of those scripts, and the
    Latin tracking on a Latin page of the same languages (`hi-Latn`)."""
    import json

    from lxml import html as lxml_html
    from test_html import JOINED, _script_or_none, page_tags

    css = (REPO / "syndicate/formats/html/templates/style.css").read_text(encoding="utf-8")
    tags = {t: s for t in sorted(page_tags()) if (s := _script_or_none(t)) in JOINED}
    tags["hi-Latn"] = "Latn"
    assert {tags[t] for t in ("hi", "bn", "pa", "syr", "nqo", "mn-Mong", "ff-Adlm")} <= JOINED
    page = tmp_path / "probe.html"
    page.write_text(STYLE_PROBE % (css, json.dumps(list(tags))), encoding="utf-8")
    (out,) = lxml_html.fromstring(dump_dom(chromium, page)).xpath('//pre[@id="out"]/text()')
    found = json.loads(out)
    assert set(found) == set(tags)
    wrong = [
        f"{tag} ({written}): {found[tag]['spacing']}"
        for tag, written in tags.items()
        if all(s in {"normal", "0px"} for s in found[tag]["spacing"]) != (written in JOINED)
    ]
    assert wrong == []


PASSAGES = """<div lang="en"><p>An <em>English</em> passage, <strong>bold <em>and within</em>
</strong> <em>and <strong>back</strong></em>.</p></div>
<div lang="he"><p>קטע <em>בעברית</em> <strong>מודגש <em>ובתוכו</em></strong>.</p></div>
<div lang="zh-Latn"><p>Pīnyīn <em>zhòngdiǎn</em> <strong>cūtǐ <em>lǐmiàn</em></strong>.</p></div>
"""
"""Passages in other languages than the page's, set in its body by hand: the pages have no way
to make one (the sanitiser drops `lang` from a story's body), but a site's template may."""

PASSAGE_PROBE = """<pre id="probe"></pre><script>
const looks = {};
for (const box of document.querySelectorAll(".body > div[lang]")) {
  looks[box.lang] = ["p > em", "strong", "strong em", "em strong"].map((sel) => {
    const el = box.querySelector(sel);
    if (el === null) return null;
    const style = getComputedStyle(el);
    return [style.fontStyle, style.fontWeight, style.getPropertyValue("text-emphasis-style")];
  });
}
document.getElementById("probe").textContent = JSON.stringify(looks);
</script>"""


@pytest.mark.slow
def test_a_passage_in_another_language_takes_its_own_emphasis_not_the_pages(
    export_sample: Any, chromium: str
) -> None:
    """The pages' script rules asked an ancestor's language (`:is(:lang(ar), ...) em`), so an
    English passage in an Arabic page had the Arabic emphasis, upright and bold, and its
    `<em>` within `<strong>` at the text's weight, as did Chinese in Latin letters in a
    Chinese page (with emphasis dots). Each rule asks the element's own language now
    (`em:is(:lang(ar), ...)`, which `:lang()` finds on the nearest ancestor saying one): the
    English passage is in italics, a Hebrew one in bold in either page."""
    import json

    from lxml import html as lxml_html

    out = export_sample("html")
    plain = [["normal", "700", "none"]]
    latin = [["italic", "400", "none"], *plain, *[["italic", "700", "none"]] * 2]
    bold = [*plain, *plain, ["normal", "400", "none"], None]
    expected = {"en": latin, "he": bold, "zh-Latn": [*latin[:3], None]}
    wrong = {}
    for lang in ("ar", "zh-Hans"):
        page = out / "html" / f"{SAMPLE_SLUG}.{lang}.html"
        text = page.read_text(encoding="utf-8")
        rtl = ' dir="rtl"' if lang == "ar" else ""
        body = f'<div lang="{lang}"{rtl} class="body">'
        assert text.count(body) == 1, lang
        text = text.replace(body, body + PASSAGES).replace("</body>", PASSAGE_PROBE + "</body>")
        page.write_text(text, encoding="utf-8")
        dom = lxml_html.fromstring(dump_dom(chromium, page))
        (said,) = dom.xpath('//pre[@id="probe"]/text()')
        if json.loads(said) != expected:
            wrong[lang] = json.loads(said)
    assert wrong == {}
