"""`syndicate validate --outputs` on the OPDS catalog: the RFC 4287 rules the Atom feeds get,
and what OPDS 1.2 asks of a catalog, each break planted in an exported feed named with its
rule and line. The books' EPUBCheck is skipped (no Java on PATH): it has tests of its own."""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import FIXED_NOW, PLAIN_COVERS, REPO

from syndicate.cli import main

SKIPPED = "[epub.epubcheck]"
STORY = "tag:ycpress.example,2021-02-18:nato-iraq-deployment:en"
DIAGNOSTIC = re.compile(r"^(?P<path>[^:]+):(?P<line>\d+): error: .* \[(?P<code>[a-z.-]+)\]$")


@pytest.fixture(scope="module")
def sample_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("catalog") / "out"
    args = ["export", "-q", "--out", str(out), "--now", FIXED_NOW, "-f", "epub"]
    args += ["--articles", str(REPO / "articles"), "--config", str(REPO / "syndicate.yaml")]
    assert main(args, registry=PLAIN_COVERS) == 0
    return out


@pytest.fixture
def out(sample_out: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    copy = tmp_path / "out"
    shutil.copytree(sample_out, copy)
    empty = tmp_path / "bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    monkeypatch.chdir(REPO)
    return copy


def validate(out: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, list[str]]:
    capsys.readouterr()
    status = main(["validate", "--outputs", str(out)])
    return status, capsys.readouterr().err.splitlines()


def errors(lines: list[str]) -> set[tuple[str, int, str]]:
    """(file under out/, line, code) of each error."""
    found = set()
    for line in lines:
        match = DIAGNOSTIC.match(line)
        if match:
            name = Path(match["path"]).name
            found.add((name, int(match["line"]), match["code"]))
    return found


def line_of(text: str, needle: str, after: str = "") -> int:
    """The line of the first `needle` at or after the first `after`."""
    at = text.index(needle, text.index(after) if after else 0)
    return text.count("\n", 0, at) + 1


def story_entry(text: str) -> int:
    """The line of the story book's `<entry>` in an acquisition feed."""
    return text.count("\n", 0, text[: text.index(f"<id>{STORY}</id>")].rindex("<entry>")) + 1


def plant(path: Path, change: Callable[[str], str]) -> str:
    """Rewrite `path` by `change`, only within the story book's entry when it is one."""
    text = path.read_text(encoding="utf-8")
    if f"<id>{STORY}</id>" in text:
        start = text[: text.index(f"<id>{STORY}</id>")].rindex("<entry>")
        end = text.index("</entry>", start)
        text = text[:start] + change(text[start:end]) + text[end:]
    else:
        text = change(text)
    path.write_text(text, encoding="utf-8")
    return text


def drop(pattern: str) -> Callable[[str], str]:
    return lambda text: re.sub(rf"\n\s*{pattern}", "", text)


def test_the_exported_catalog_has_nothing_to_report(
    out: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, lines = validate(out, capsys)
    assert status == 0, lines
    # The catalogs' links to the pages, which an EPUB-only out/ does not have, are said of
    # out/ (`output.dead-link`); the catalogs themselves have nothing to report.
    dead = [line for line in lines if line.endswith("[output.dead-link]")]
    assert dead and all("/html/" in line and "linked from opds/" in line for line in dead)
    assert [line for line in lines if SKIPPED not in line and line not in dead] == [
        "articles: 1 story, 6 language variants: OK",
        f"{out}: epub: not checked by EPUBCheck ({1 + len(dead)} warnings above)",
    ]


def test_the_auditors_break_is_named_on_every_entry(
    out: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """No summary, no alternate link, no dc:identifier: the W3C validator's
    MissingContentOrAlternate, and what OPDS 1.2 asks, on each entry of the feed."""
    feed = out / "opds/en.xml"
    text = feed.read_text(encoding="utf-8")
    for pattern in (
        r"<summary[^<]*</summary>",
        r'<link rel="alternate"[^>]*/>',
        r"<dc:identifier>.*",
    ):
        text = drop(pattern)(text)
    feed.write_text(text, encoding="utf-8")
    entries = [n + 1 for n, line in enumerate(text.splitlines()) if line.strip() == "<entry>"]
    assert len(entries) == 2  # the edition, the story
    status, lines = validate(out, capsys)
    assert status == 1
    codes = ("atom.alternate", "opds.summary", "opds.identifier")
    assert errors(lines) == {("en.xml", line, code) for line in entries for code in codes}


BREAKS: dict[str, tuple[str, Callable[[str], str], str, str]] = {
    # name: (feed, change, rule, where: the text whose line is reported, "" for the entry)
    "no summary": ("en.xml", drop(r"<summary[^<]*</summary>"), "opds.summary", ""),
    "an html summary": (
        "en.xml",
        lambda t: t.replace('<summary type="text">', '<summary type="html">'),
        "opds.summary",
        "<summary",
    ),
    "no alternate link": ("en.xml", drop(r'<link rel="alternate"[^>]*/>'), "atom.alternate", ""),
    "two alternates alike": (
        "en.xml",
        lambda t: re.sub(r'(<link rel="alternate"[^>]*hreflang="fr"/>)', r"\1\1", t, count=1),
        "atom.alternate",
        'hreflang="fr"/><link',
    ),
    "no dc:identifier": ("en.xml", drop(r"<dc:identifier>.*"), "opds.identifier", ""),
    "no dc:language": ("en.xml", drop(r"<dc:language>.*"), "opds.language", ""),
    "a wrong dc:language": (
        "en.xml",
        lambda t: t.replace("<dc:language>en<", "<dc:language>English<"),
        "opds.language",
        "<dc:language>",
    ),
    "no rights": ("en.xml", drop(r"<rights>.*"), "opds.rights", ""),
    "a category without scheme": (
        "en.xml",
        lambda t: re.sub(r' scheme="[^"]*"', "", t, count=1),
        "opds.category",
        "<category",
    ),
    "no acquisition link": (
        "en.xml",
        drop(r'<link rel="http://opds-spec.org/acquisition"[^>]*/>'),
        "opds.acquisition",
        "",
    ),
    "a book that is not there": (
        "en.xml",
        lambda t: t.replace("nato-iraq-deployment.en.epub", "nato-iraq-deployment.xx.epub"),
        "opds.link",
        "nato-iraq-deployment.xx.epub",
    ),
    "no updated": ("en.xml", drop(r"<updated>.*"), "opds.entry", ""),
    "a navigation entry without subsection": (
        "catalog.xml",
        lambda t: t.replace(
            'rel="subsection" href="https://ycpress.example/syndicate/opds/fr',
            'rel="related" href="https://ycpress.example/syndicate/opds/fr',
        ),
        "opds.subsection",
        '<entry xml:lang="fr">',
    ),
    "a subsection to a web page": (
        "catalog.xml",
        lambda t: t.replace(
            'fr.xml" type="application/atom+xml;profile=opds-catalog;kind=acquisition"',
            'fr.xml" type="text/html"',
        ),
        "opds.subsection",
        '<entry xml:lang="fr">',
    ),
    "a navigation entry without language": (
        "catalog.xml",
        lambda t: t.replace('<entry xml:lang="fr">', "<entry>"),
        "opds.lang",
        "<entry>\n    <title>français",
    ),
}


@pytest.mark.parametrize("name", BREAKS)
def test_a_planted_break_is_named_with_its_rule_and_line(
    name: str, out: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    feed, change, rule, where = BREAKS[name]
    text = plant(out / "opds" / feed, change)
    if feed == "catalog.xml":
        line = line_of(text, where)
    else:
        entry = story_entry(text)
        line = entry if not where else line_of(text, where, f"<id>{STORY}</id>")
    status, lines = validate(out, capsys)
    assert status == 1, lines
    assert errors(lines) == {(feed, line, rule)}, lines
