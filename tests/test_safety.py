"""Hostile and broken input: sanitised, reported with file:line, never a traceback."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
from pathlib import Path

from syndicate.diagnostics import Diagnostics
from syndicate.model import SourceRef, Story
from syndicate.readers.markdown import parse_body
from syndicate.readers.rawhtml import sanitize
from syndicate.render.xhtml import render_body, to_string

HOSTILE = Path(__file__).resolve().parent / "fixtures" / "hostile"


def validate(folder: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "syndicate", "validate"],
        cwd=folder,
        capture_output=True,
        text=True,
        check=False,
    )


def test_hostile_fixtures_give_exactly_the_expected_diagnostics() -> None:
    result = validate(HOSTILE)
    assert result.returncode == 2  # the binary file and the YAML bomb are errors
    assert result.stderr == (HOSTILE / "expected.txt").read_text(encoding="utf-8")
    assert "Traceback" not in result.stderr


def test_sanitiser_removes_code_and_keeps_text() -> None:
    result = sanitize(
        '<p onclick="x()">a <script>evil()</script><a href="javascript:y()">b</a>'
        '<iframe src="https://e/">c</iframe><a href="https://ok/">d</a></p>'
    )
    assert "script" not in result.html and "onclick" not in result.html
    assert (
        "javascript" not in result.html
        and "iframe" not in result.html
        and "evil" not in result.html
    )
    assert 'href="https://ok/"' in result.html and "a " in result.html and "b" in result.html
    assert set(result.removed) >= {
        "onclick event handler attribute",
        "javascript: URL in href",
        "<script> element and its content",
        "<iframe> element and its content",
    }


def test_raw_html_becomes_body_nodes_with_warnings_at_its_line() -> None:
    diags = Diagnostics()
    body = parse_body(
        "First.\n\nSome <em>raw</em> <b onclick='x'>HTML</b>.\n",
        SourceRef("s/en.md", 8),
        lambda src: None,
        diags,
    )
    assert len(body) == 2
    assert [(d.code, d.line) for d in diags] == [("html.removed", 10)]


def test_no_executable_markup_survives_rendering(sample_story: Story) -> None:
    text = (HOSTILE / "articles/raw-html/en.md").read_text(encoding="utf-8")
    body = parse_body(
        text.split("---\n", 2)[2], SourceRef("en.md", 8), lambda src: None, Diagnostics()
    )
    variant = dataclasses.replace(sample_story.original, body=body)
    html = to_string(render_body(sample_story, variant, lambda img: img.file)).lower()
    for needle in (
        "<script",
        "onclick",
        "onerror",
        "onmouseover",
        "javascript:",
        "data:",
        "<iframe",
        "<form",
        "<style",
        "<input",
        "style=",
    ):
        assert needle not in html, needle
    assert "still text." in html and "last paragraph." in html
