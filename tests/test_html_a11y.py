"""WCAG 2.2 AA, checked by axe-core (from npm) in headless Chromium on every HTML page of the
sample site and of the lifecycle fixture (its notice pages included), in the light and the dark
colour scheme: no violation of any rule axe runs by default (WCAG A/AA and best practices)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import FIXED_NOW, PLAIN_COVERS, REPO
from test_lifecycle import FIXTURE
from test_lifecycle import NOW as LIFECYCLE_NOW

from syndicate.cli import main

RUNNER = Path(__file__).parent / "a11y" / "axe.mjs"


def chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None or not (RUNNER.parent / "node_modules" / "axe-core").is_dir():
        pytest.fail("axe-core or Chromium is missing: run `bash .ci/setup test`")
    return found


def pages(site: Path, out: Path, now: str) -> list[str]:
    args = ["export", "-q", "-f", "html", "--now", now]
    args += ["--config", str(site / "syndicate.yaml"), "--articles", str(site / "articles")]
    assert main([*args, "--out", str(out)], registry=PLAIN_COVERS) == 0
    # the pages of out/html/ and the section pages in its languages' folders
    found = [*(out / "html").glob("*.html"), *(out / "html").glob("*/*.html")]
    return sorted(str(p) for p in found)


@pytest.mark.slow
def test_every_page_passes_axe_in_light_and_dark(tmp_path: Path) -> None:
    found = pages(REPO, tmp_path / "sample", FIXED_NOW)
    lifecycle = shutil.copytree(FIXTURE, tmp_path / "lifecycle")
    found += pages(lifecycle, tmp_path / "lifecycle-out", LIFECYCLE_NOW)
    assert any("false-report" in p for p in found)  # a notice page
    assert any(p.endswith("/ar/politics.html") for p in found)  # a section page
    done = subprocess.run(
        ["node", str(RUNNER), chromium(), *found], capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, done.stderr
    violations = json.loads(done.stdout)["violations"]
    assert [
        f"{Path(v['page']).name} ({v['scheme']}): {v['rule']}: {v['nodes'][0]}" for v in violations
    ] == []


@pytest.mark.slow
def test_pages_reflow_at_320_pixels_with_long_words_and_urls(tmp_path: Path) -> None:
    """WCAG 1.4.10: no page scrolls sideways 320 CSS pixels wide, though a story holds a long
    URL written out and a long compound word; and Korean breaks between its words, not inside
    them (`word-break: keep-all`), as its readers expect."""
    site = shutil.copytree(FIXTURE, tmp_path / "site")
    story = site / "articles" / "2026-01-20-port-reopens" / "en.md"
    long_url = "https://example.com/" + "/".join(["a-rather-long-path-segment"] * 8) + ".html"
    word = "Donaudampfschifffahrtsgesellschaftskapitänsmützenabzeichenherstellungsbetrieb"
    story.write_text(
        story.read_text(encoding="utf-8") + f"\nSee {long_url} and the {word}.\n",
        encoding="utf-8",
    )
    found = pages(site, tmp_path / "out", LIFECYCLE_NOW)
    done = subprocess.run(
        ["node", str(RUNNER.parent / "reflow.mjs"), chromium(), *found],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["overflowing"] == []
    page = Path(found[0]).read_text(encoding="utf-8")  # the stylesheet is in every page
    assert ":lang(ko)" in page and "keep-all" in page


@pytest.mark.slow
def test_a_keyboard_skips_the_masthead_to_the_content_on_every_page(tmp_path: Path) -> None:
    """WCAG 2.4.1: pages had no way past the masthead but tabbing through it. The first Tab
    on every page (notice pages and section pages, one folder down under `<base href>`,
    included) focuses a "skip to content" link, out of sight until then; Enter on it moves the
    focus to `<main>`, and the next Tab lands inside it (past it on a notice page, whose
    `<main>` holds no link), never back in the masthead."""
    found = pages(REPO, tmp_path / "sample", FIXED_NOW)
    lifecycle = shutil.copytree(FIXTURE, tmp_path / "lifecycle")
    found += pages(lifecycle, tmp_path / "lifecycle-out", LIFECYCLE_NOW)
    assert any("false-report" in p for p in found) and any("/ar/" in p for p in found)
    done = subprocess.run(
        ["node", str(RUNNER.parent / "skip.mjs"), chromium(), *found],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["failures"] == []
