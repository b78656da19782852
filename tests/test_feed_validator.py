"""The W3C Feed Validation Service (offline, ../shared/tools/feed_validate.py) on every Atom, RSS
and OPDS file of the sample site and of the lifecycle fixture: no error, and no warning but two
the validator raises against valid feeds:

- `UnknownNamespace` for RFC 6721's tombstones namespace: the validator predates RFC 6721 and
  knows none of its elements; a deleted-entry is how Atom says a story was killed.
- `DuplicateUpdated` ("two entries with the same value for atom:updated") in OPDS catalogs,
  where two entries did change at the same instant: the languages of one story in the
  navigation feed, an edition and its newest story in a language's feed. RFC 4287 allows it;
  a false time to silence the heuristic would mislead clients.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import FIXED_NOW, PLAIN_COVERS, REPO, SAMPLE_SLUG
from test_lifecycle import FIXTURE
from test_lifecycle import NOW as LIFECYCLE_NOW

from syndicate.cli import main

TOMBSTONES = "Use of unknown namespace: http://purl.org/atompub/tombstones/1.0"
REPORT = re.compile(r"^(?P<file>[^:]+):(?P<line>\d+): (?P<level>error|warning|info): (?P<what>.*)$")


def export(site: Path, out: Path, now: str) -> Path:
    args = ["export", "-q", "-f", "atom", "-f", "rss", "-f", "epub", "--now", now]
    args += ["--config", str(site / "syndicate.yaml"), "--articles", str(site / "articles")]
    assert main([*args, "--out", str(out)], registry=PLAIN_COVERS) == 0
    return out


def validate(shared: Path, out: Path) -> list[tuple[str, str, str]]:
    files = sorted(
        str(p) for folder in ("atom", "rss", "opds") for p in (out / folder).rglob("*.xml")
    )
    assert files
    done = subprocess.run(
        [sys.executable, str(shared / "tools" / "feed_validate.py"), "--strict", *files],
        capture_output=True,
        text=True,
    )
    reports = []
    for line in done.stdout.splitlines() + done.stderr.splitlines():
        match = REPORT.match(line)
        if match and match["level"] != "info":
            rel = Path(match["file"]).relative_to(out).as_posix()
            reports.append((rel, match["level"], match["what"]))
    assert done.returncode in (0, 1), done.stderr
    return reports


def unexplained(reports: list[tuple[str, str, str]]) -> list[tuple[str, str, str]]:
    def known(report: tuple[str, str, str]) -> bool:
        path, level, what = report
        if level != "warning":
            return False
        if what.startswith("UnknownNamespace") and TOMBSTONES in what:
            return path.startswith("atom/")
        return what.startswith("DuplicateUpdated") and path.startswith("opds/")

    return [r for r in reports if not known(r)]


@pytest.mark.slow
def test_the_sample_feeds_pass_the_w3c_validator(shared_dir: Path, tmp_path: Path) -> None:
    out = export(REPO, tmp_path / "out", FIXED_NOW)
    reports = validate(shared_dir, out)
    assert unexplained(reports) == []
    assert not [r for r in reports if r[0].startswith(("atom/", "rss/"))]


@pytest.mark.slow
def test_the_lifecycle_feeds_pass_the_w3c_validator(shared_dir: Path, tmp_path: Path) -> None:
    site = shutil.copytree(FIXTURE, tmp_path / "site")
    out = export(site, tmp_path / "out", LIFECYCLE_NOW)
    reports = validate(shared_dir, out)
    assert unexplained(reports) == []
    assert not [r for r in reports if r[0].startswith("rss/")]  # RSS kills are plain items
    assert {r[0] for r in reports if TOMBSTONES in r[2]} == {
        "atom/en.xml",
        "atom/fr.xml",
        "atom/en/politics.xml",
        "atom/fr/politics.xml",
    }


@pytest.mark.slow
def test_a_headline_that_looks_like_markup_passes_the_w3c_validator(
    shared_dir: Path, tmp_path: Path
) -> None:
    """`x<y & z` in a headline was `x&lt;y &amp; z` in the RSS title: the validator's RSS
    profile check (`CharacterData`) warns that aggregators read it as HTML. An image's
    caption (`media:description`, plain text) is written the same way."""
    site = tmp_path / "site"
    shutil.copytree(REPO / "articles", site / "articles")
    shutil.copy(REPO / "syndicate.yaml", site / "syndicate.yaml")
    english = site / "articles" / SAMPLE_SLUG / "en.md"
    text = english.read_text(encoding="utf-8")
    line = next(t for t in text.splitlines() if t.startswith("headline:"))
    english.write_text(text.replace(line, 'headline: "Why x<y holds & when it fails"'), "utf-8")
    facts = site / "articles" / SAMPLE_SLUG / "story.yaml"
    caption = "en: NATO's mission in Iraq will grow from about 500 to about 4,000 personnel."
    assert caption in facts.read_text(encoding="utf-8")
    facts.write_text(
        facts.read_text(encoding="utf-8").replace(caption, 'en: "The <main> mission & more"'),
        "utf-8",
    )
    out = export(site, tmp_path / "out", FIXED_NOW)
    rss = (out / "rss/en.xml").read_bytes()
    assert b"Why x&#x3C;y holds &#x26; when it fails" in rss
    assert b'type="plain">The &#x3C;main&gt; mission &#x26; more</media:description>' in rss
    assert not [r for r in validate(shared_dir, out) if r[0].startswith("rss/")]
